using System.Collections.Immutable;
using Divvy.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Divvy.Tests.Analyzers;

public sealed class NearMissAnalyzerTests
{
    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string members, string contract = "IParallelizable<int, int>")
    {
        string source = $$"""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Divvy;

            public sealed class DanceJob : {{contract}}
            {
                public IEnumerable<int> Dispatch() => new[] { 1 };

            {{members}}
            }
            """;
        IEnumerable<MetadataReference> references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(IParallelizable).Assembly.Location));
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Job",
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Should().BeEmpty("the job compiles: that is the trap");
        return await compilation.WithAnalyzers([new NearMissAnalyzer()]).GetAnalyzerDiagnosticsAsync();
    }

    [Theory]
    [InlineData(
        "public async Task<int> PerformAsync(int item, CancellationToken ct) { await Task.Yield(); return item; }",
        "DanceJob.PerformAsync(int, CancellationToken) returns Task<int>; expected ValueTask<int> PerformAsync(int item, CancellationToken cancellationToken) from IParallelizable<int, int>")]
    [InlineData(
        "public int Perform(int item) => item; public void OnResult(ItemResult<int, long> r) { }",
        "DanceJob.OnResult(ItemResult<int, long>) returns void; expected void OnResult(ItemResult<int, int> result)")]
    [InlineData(
        "public int Perform(int item) => item; public bool ShouldRetry(IOException exception) => true;",
        "DanceJob.ShouldRetry(IOException) returns bool; expected bool ShouldRetry(Exception exception)")]
    [InlineData(
        "public int Perform(int item) => item; public void OnCompleted() { }",
        "DanceJob.OnCompleted() returns void; expected void OnCompleted(RunSummary summary)")]
    public async Task A_method_named_like_a_hook_that_implements_nothing_is_reported_at_compile_time(string members, string message)
    {
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(members);

        diagnostics.Should().ContainSingle().Which.Should().Match<Diagnostic>(d => d.Id == NearMissAnalyzer.Id && d.Severity == DiagnosticSeverity.Warning);
        diagnostics[0].GetMessage().Should().Contain(message);
    }

    [Fact]
    public async Task A_job_without_results_is_told_the_void_signature()
    {
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync("public Task PerformAsync(int item, CancellationToken ct) => Task.CompletedTask;", "IParallelizable<int>");

        diagnostics.Should().ContainSingle().Which.GetMessage().Should().Contain("expected ValueTask PerformAsync(int item, CancellationToken cancellationToken) from IParallelizable<int>");
    }

    [Theory]
    [InlineData("public int Perform(int item) => item; public void OnResult(ItemResult<int, int> result) { } public void Configure(MasterOptions options) { } public void OnCompleted(RunSummary summary) { }", "IParallelizable<int, int>")]
    [InlineData("public ValueTask<int> PerformAsync(int item, CancellationToken cancellationToken) => new(item); public bool ShouldRetry(Exception exception) => false;", "IParallelizable<int, int>")]
    [InlineData("public void Perform(int item) { } public ValueTask PerformAsync(int item, CancellationToken cancellationToken) => default; public void OnResult(ItemResult<int, NoResult> result) { }", "IParallelizable<int>")]
    [InlineData("public int Perform(int item) => item; private void OnResult(string note) { } public static void Configure(string setting) { }", "IParallelizable<int, int>")]
    [InlineData("public int Perform(int item) => item; public int Perform(string text, int extra) => extra; public void OnResult(ItemResult<int, int> result) { } public void OnResult(string note) { }", "IParallelizable<int, int>")]
    public async Task Exact_signatures_overloads_beside_them_and_methods_that_are_not_public_instance_methods_pass(string members, string contract)
    {
        (await AnalyzeAsync(members, contract)).Should().BeEmpty();
    }
}
