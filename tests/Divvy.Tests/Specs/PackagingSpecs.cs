using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Divvy.Tests.Support;

namespace Divvy.Tests.Specs;

/// <summary>
/// The packages a user installs from a local pack: <c>dotnet pack</c> run for real on the build
/// output (no rebuild), the .nupkg opened and read.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class PackagingSpecs : IDisposable
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(3);

    private readonly string _feed = Path.Combine(Path.GetTempPath(), "divvy-pack-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("src/Divvy", "Divvy")]
    [InlineData("src/Divvy.Cli", "Divvy.Cli")]
    public async Task Every_local_pack_gets_a_new_prerelease_version_so_a_stale_cached_package_is_never_used(string project, string id)
    {
        string first = await PackAsync(project, id, "first");
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // the version is stamped to the second
        string second = await PackAsync(project, id, "second");

        string firstVersion = Nuspec(first).Element("version")!.Value;
        string secondVersion = Nuspec(second).Element("version")!.Value;
        firstVersion.Should().MatchRegex(DevVersion().ToString()).And.NotStartWith("1.0.0");
        secondVersion.Should().MatchRegex(DevVersion().ToString());
        secondVersion.Should().NotBe(firstVersion);
        string.CompareOrdinal(secondVersion, firstVersion).Should().BePositive("a later pack must be the newer version, which `dotnet tool update` picks");
    }

    [Theory]
    [InlineData("src/Divvy", "Divvy")]
    [InlineData("src/Divvy.Cli", "Divvy.Cli")]
    public async Task A_package_carries_its_readme_license_and_repository(string project, string id)
    {
        string package = await PackAsync(project, id, "meta");

        XElement metadata = Nuspec(package);
        metadata.Element("readme")!.Value.Should().Be("README.md");
        metadata.Element("license")!.Value.Should().Be("MIT");
        metadata.Element("license")!.Attribute("type")!.Value.Should().Be("expression");
        metadata.Element("projectUrl")!.Value.Should().StartWith("https://");
        metadata.Element("repository")!.Attribute("url")!.Value.Should().StartWith("https://");
        metadata.Element("tags")!.Value.Should().Contain("parallel");
        Entries(package).Should().Contain("README.md");
        ReadEntry(package, "README.md").Should().Contain(id == "Divvy" ? "IParallelizable" : "dotnet tool update");
    }

    [Fact]
    public async Task The_library_package_brings_the_runtime_defaults_to_the_app_that_references_it()
    {
        string package = await PackAsync("src/Divvy", "Divvy", "props");

        Entries(package).Should().Contain(new[] { "build/Divvy.props", "buildTransitive/Divvy.props", "lib/net10.0/Divvy.dll" });
        ReadEntry(package, "build/Divvy.props").Should().Contain("<TieredPGO").And.Contain("CallCountThreshold");
    }

    [Fact]
    public async Task A_release_pack_takes_the_version_it_is_given()
    {
        string package = await PackAsync("src/Divvy", "Divvy", "release", "-p:Version=0.3.0-rc.1");

        Nuspec(package).Element("version")!.Value.Should().Be("0.3.0-rc.1");
    }

    [Fact]
    public async Task The_hosting_package_depends_on_Divvy_and_the_hosting_abstractions_only()
    {
        string package = await PackAsync("src/Divvy.Hosting", "Divvy.Hosting", "hosting");

        Entries(package).Should().Contain("lib/net10.0/Divvy.Hosting.dll");
        Nuspec(package).Descendants("dependency").Select(d => d.Attribute("id")!.Value).Should()
            .BeEquivalentTo(["Divvy", "Microsoft.Extensions.Hosting.Abstractions", "Microsoft.Extensions.Configuration.Binder"], "an app brings its own host; a worker needs no more than these");
    }

    public void Dispose()
    {
        if (Directory.Exists(_feed))
        {
            Directory.Delete(_feed, recursive: true);
        }
    }

    [GeneratedRegex(@"^0\.\d+\.\d+-dev\.\d{14}$")]
    private static partial Regex DevVersion();

    /// <summary>
    /// Packs what the build already produced (no restore, no build) into a folder of its own; returns the .nupkg.
    /// IL only (no RuntimeIdentifiers): these specs read metadata, and the precompiled packs take minutes (PrecompiledPackagesSpecs).
    /// </summary>
    private async Task<string> PackAsync(string project, string id, string folder, params string[] extra)
    {
        string output = Path.Combine(_feed, folder);
        string configuration = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Artifacts.LibraryDll)))!;
        await using ProcessRun pack = ProcessRun.Start(
            "dotnet",
            ["pack", Path.Combine(Artifacts.RepositoryRoot, project), "-c", configuration, "--no-build", "--no-restore", "-o", output, "-nologo", "-nodeReuse:false", "-p:DivvyRuntimeIdentifiers=", .. extra]);

        (await pack.WaitAsync(PackTimeout)).Should().Be(0, string.Join("\n", pack.Stdout) + pack.AllStderr);

        return Directory.GetFiles(output, "*.nupkg").Should().ContainSingle(f => Path.GetFileName(f).StartsWith(id + ".0", StringComparison.Ordinal)).Which;
    }

    private static XElement Nuspec(string package)
    {
        XElement root = XDocument.Parse(ReadEntry(package, Entries(package).Single(e => e.EndsWith(".nuspec", StringComparison.Ordinal)))).Root!;
        XElement metadata = root.Elements().Single(e => e.Name.LocalName == "metadata");

        // Drop the nuspec namespace so the assertions read plainly.
        foreach (XElement element in metadata.DescendantsAndSelf())
        {
            element.Name = element.Name.LocalName;
        }

        return metadata;
    }

    private static IReadOnlyList<string> Entries(string package)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    private static string ReadEntry(string package, string name)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        ZipArchiveEntry entry = zip.GetEntry(name) ?? throw new InvalidOperationException($"{package} has no {name}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }
}
