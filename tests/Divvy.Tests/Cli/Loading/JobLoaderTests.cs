using Divvy.Cli;
using Divvy.Cli.Loading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Divvy.Tests.Cli.Loading;

public sealed class JobLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("divvy-loader-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_job_built_against_a_newer_Divvy_than_the_tool_is_refused_naming_both_versions()
    {
        // A stand-in "Divvy" 99.0 to compile against; the job is then loaded by the real, older one.
        MetadataReference newerDivvy = Compile(
            "Divvy",
            """
            [assembly: System.Reflection.AssemblyVersion("99.0.0.0")]
            namespace Divvy { public interface IParallelizable { } }
            """,
            []).Reference;
        string job = Compile("NewerJob", "public sealed class NewerJob : Divvy.IParallelizable { }", [newerDivvy]).Path;

        var load = () => JobLoader.Load(job, null, []);

        load.Should().Throw<JobLoadException>()
            .Where(ex => ex.ExitCode == ExitCodes.NoJobType)
            .WithMessage("*was built against Divvy 99.0.0, newer than this divvy's*dotnet tool update*");
    }

    private (string Path, MetadataReference Reference) Compile(string name, string source, MetadataReference[] references)
    {
        IEnumerable<MetadataReference> framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) is "System.Runtime.dll" or "System.Private.CoreLib.dll")
            .Select(path => MetadataReference.CreateFromFile(path));
        CSharpCompilation compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(source)],
            framework.Concat(references),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        string path = System.IO.Path.Combine(_dir, name + ".dll");
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = compilation.Emit(path);
        emitted.Success.Should().BeTrue(string.Join("\n", emitted.Diagnostics));
        return (path, MetadataReference.CreateFromFile(path));
    }
}
