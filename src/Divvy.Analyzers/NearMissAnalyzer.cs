using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Divvy.Analyzers;

/// <summary>
/// DIVVY001: a job declares a public method named like a member of <c>IParallelizable</c> whose
/// signature implements none of them. Every member has a default body, so the job compiles and the
/// method is never called (or the default throws "must implement" about the very method written).
/// The same check runs when a <c>Master</c> is created; this one says it at compile time.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NearMissAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The rule's id.</summary>
    public const string Id = "DIVVY001";

    private static readonly DiagnosticDescriptor s_rule = new(
        Id,
        "Job method does not implement the IParallelizable member it is named after",
        "{0}.{1}({2}) returns {3}; expected {4} from {5}, so as written Divvy never calls it",
        "Usage",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Every IParallelizable member has a default body, so a method with the right name and a different signature compiles and is never called.");

    // C# as the user wrote it: int, void, Task<int>.
    private static readonly SymbolDisplayFormat s_typeFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(s_rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            INamedTypeSymbol? withResult = start.Compilation.GetTypeByMetadataName("Divvy.IParallelizable`2");
            INamedTypeSymbol? withoutResult = start.Compilation.GetTypeByMetadataName("Divvy.IParallelizable`1");
            if (withResult is not null)
            {
                start.RegisterSymbolAction(symbol => Analyze(symbol, withResult, withoutResult), SymbolKind.NamedType);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol withResult, INamedTypeSymbol? withoutResult)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind != TypeKind.Class && type.TypeKind != TypeKind.Struct)
        {
            return;
        }

        INamedTypeSymbol[] contracts = type.AllInterfaces
            .Where(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, withResult) || SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, withoutResult))
            .OrderBy(i => i.TypeArguments.Length == 1 ? 1 : 0)
            .ToArray();
        if (contracts.Length == 0)
        {
            return;
        }

        // The member each name should implement (the result-less interface's Perform wins for its
        // jobs, as it comes last), and every method that does implement one.
        var expected = new System.Collections.Generic.Dictionary<string, IMethodSymbol>();
        var implementing = new System.Collections.Generic.HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var supplied = new System.Collections.Generic.HashSet<string>();
        foreach (INamedTypeSymbol contract in contracts)
        {
            foreach (IMethodSymbol member in contract.GetMembers().OfType<IMethodSymbol>())
            {
                if (member.DeclaredAccessibility == Accessibility.Public && member.MethodKind == MethodKind.Ordinary)
                {
                    expected[member.Name] = member;
                }

                if (type.FindImplementationForInterfaceMember(member) is { } implementation)
                {
                    implementing.Add(implementation);
                    if (implementation.ContainingType.TypeKind != TypeKind.Interface)
                    {
                        // An overload beside a member the class does implement is not a near miss.
                        supplied.Add(member.Name);
                    }
                }
            }
        }

        foreach (IMethodSymbol method in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (method.MethodKind != MethodKind.Ordinary || method.IsStatic || method.DeclaredAccessibility != Accessibility.Public
                || !expected.TryGetValue(method.Name, out IMethodSymbol? meant) || implementing.Contains(method) || supplied.Contains(method.Name))
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                s_rule,
                method.Locations.FirstOrDefault(),
                type.Name,
                method.Name,
                string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(s_typeFormat))),
                method.ReturnType.ToDisplayString(s_typeFormat),
                $"{meant.ReturnType.ToDisplayString(s_typeFormat)} {meant.Name}({string.Join(", ", meant.Parameters.Select(p => $"{p.Type.ToDisplayString(s_typeFormat)} {p.Name}"))})",
                meant.ContainingType.ToDisplayString(s_typeFormat)));
        }
    }
}
