using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using Divvy.Tests.Support;

namespace Divvy.Tests.Specs;

/// <summary>
/// What a plain <c>dotnet pack</c> of the repository gives a user: Divvy's code precompiled
/// (ReadyToRun) in both packages, so that neither a <c>dotnet build</c> of their app nor
/// <c>dotnet tool install</c> leaves Divvy to the JIT at every start. The two packs run once for
/// the class (they take minutes): see <see cref="PackedFeed"/>.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PrecompiledPackagesSpecs(PrecompiledPackagesSpecs.PackedFeed feed) : IClassFixture<PrecompiledPackagesSpecs.PackedFeed>
{
    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    [InlineData("osx-x64")]
    [InlineData("osx-arm64")]
    [InlineData("win-x64")]
    public void The_library_package_carries_ReadyToRun_code_for_each_common_platform_beside_its_IL(string rid)
    {
        IsReadyToRun(feed.Library, "lib/net10.0/Divvy.dll").Should().BeFalse("lib/ is the portable IL that every other platform and the compiler use");
        IsReadyToRun(feed.Library, $"runtimes/{rid}/lib/net10.0/Divvy.dll").Should().BeTrue($"an app without a RuntimeIdentifier loads this copy on {rid}");
    }

    [Fact]
    public void The_tool_package_names_a_precompiled_package_per_platform_and_a_portable_one_for_the_rest()
    {
        Entries(feed.Tool).Should().NotContain(e => e.EndsWith(".dll", StringComparison.Ordinal), "the tool's code is in its RID packages");
        XElement settings = XDocument.Parse(ReadText(feed.Tool, Entries(feed.Tool).Single(e => e.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal)))).Root!;
        settings.Descendants("RuntimeIdentifierPackage").Select(p => (string)p.Attribute("RuntimeIdentifier")!)
            .Should().BeEquivalentTo("linux-x64", "linux-arm64", "osx-x64", "osx-arm64", "win-x64", "any");

        string linux = feed.ToolPackage("linux-x64");
        IsReadyToRun(linux, "tools/net10.0/linux-x64/Divvy.Cli.dll").Should().BeTrue();
        IsReadyToRun(linux, "tools/net10.0/linux-x64/Divvy.dll").Should().BeTrue();
        IsReadyToRun(linux, "tools/net10.0/linux-x64/MessagePack.dll").Should().BeTrue("the tool's whole closure is compiled for its platform");
        IsReadyToRun(feed.ToolPackage("any"), "tools/net10.0/any/Divvy.Cli.dll").Should().BeFalse();
    }

    [Fact]
    public async Task I_can_install_the_divvy_tool_from_a_local_feed_and_run_a_job_with_the_precompiled_package_for_my_platform()
    {
        string toolPath = Path.Combine(feed.Folder, "tool-path");
        await using (ProcessRun install = ProcessRun.Start("dotnet", ["tool", "install", "--tool-path", toolPath, "--add-source", feed.Folder, "Divvy.Cli", "--version", feed.ToolVersion]))
        {
            (await install.WaitAsync(PackedFeed.Timeout)).Should().Be(0, string.Join("\n", install.Stdout) + install.AllStderr);
        }

        // The store holds the pointer package and the one it chose for this machine.
        string platform = feed.Rids.Contains(RuntimeInformation.RuntimeIdentifier) ? RuntimeInformation.RuntimeIdentifier : "any";
        Directory.GetDirectories(Path.Combine(toolPath, ".store", "divvy.cli", feed.ToolVersion)).Select(Path.GetFileName)
            .Should().BeEquivalentTo("divvy.cli", "divvy.cli." + platform);

        await using ProcessRun run = ProcessRun.Start(Path.Combine(toolPath, OperatingSystem.IsWindows() ? "divvy.exe" : "divvy"), ProcessRun.Job("EchoJob", "4").Prepend("2").Prepend("-n"));
        (await run.WaitAsync()).Should().Be(0, run.AllStderr);
        run.Lines("result ").Should().HaveCount(4).And.OnlyContain(l => l.Contains("status=Succeeded"));
    }

    private static bool IsReadyToRun(string package, string entry)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        ZipArchiveEntry file = zip.GetEntry(entry) ?? throw new InvalidOperationException($"{Path.GetFileName(package)} has no {entry}");
        using var bytes = new MemoryStream();
        using (Stream stream = file.Open())
        {
            stream.CopyTo(bytes);
        }

        bytes.Position = 0;
        using var pe = new PEReader(bytes);
        return pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
    }

    private static IReadOnlyList<string> Entries(string package)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    private static string ReadText(string package, string entry)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    /// <summary>
    /// <c>dotnet pack</c> of src/Divvy and src/Divvy.Cli with the repository's defaults, on what the
    /// build produced (no restore, no build of the main outputs), into one temporary feed.
    /// </summary>
    public sealed class PackedFeed : IAsyncLifetime
    {
        public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);

        public string Folder { get; } = Path.Combine(Path.GetTempPath(), "divvy-precompiled-" + Guid.NewGuid().ToString("N"));

        public IReadOnlyList<string> Rids { get; } = ["linux-x64", "linux-arm64", "osx-x64", "osx-arm64", "win-x64"];

        public string Library { get; private set; } = "";

        public string Tool { get; private set; } = "";

        public string ToolVersion { get; private set; } = "";

        public string ToolPackage(string rid) =>
            Directory.GetFiles(Folder, $"Divvy.Cli.{rid}.{ToolVersion}.nupkg").Should().ContainSingle($"the tool's {rid} package").Which;

        public async Task InitializeAsync()
        {
            string configuration = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Artifacts.LibraryDll)))!;
            foreach (string project in new[] { "src/Divvy", "src/Divvy.Cli" })
            {
                await using ProcessRun pack = ProcessRun.Start(
                    "dotnet",
                    ["pack", Path.Combine(Artifacts.RepositoryRoot, project), "-c", configuration, "--no-build", "--no-restore", "-o", Folder, "-nologo", "-nodeReuse:false"]);
                (await pack.WaitAsync(Timeout)).Should().Be(0, string.Join("\n", pack.Stdout) + pack.AllStderr);
            }

            Library = Directory.GetFiles(Folder, "Divvy.0*.nupkg").Should().ContainSingle().Which;
            Tool = Directory.GetFiles(Folder, "Divvy.Cli.0*.nupkg").Should().ContainSingle("the tool's pointer package").Which;
            ToolVersion = Path.GetFileNameWithoutExtension(Tool)["Divvy.Cli.".Length..];
        }

        public Task DisposeAsync()
        {
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }

            // `dotnet tool install` cached the tool's packages under their unique dev version: drop them again.
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
                ? custom
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (string id in Rids.Append("any").Select(rid => "divvy.cli." + rid).Append("divvy.cli"))
            {
                string cached = Path.Combine(cache, id, ToolVersion);
                if (ToolVersion.Length > 0 && Directory.Exists(cached))
                {
                    Directory.Delete(cached, recursive: true);
                }
            }

            return Task.CompletedTask;
        }
    }
}
