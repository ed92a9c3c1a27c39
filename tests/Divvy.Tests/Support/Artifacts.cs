namespace Divvy.Tests.Support;

/// <summary>Where the programs under test were built: next to this test assembly, same configuration.</summary>
internal static class Artifacts
{
    private static readonly string s_configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string RepositoryRoot { get; } = FindRoot();

    public static string JobsDll => Output("tests/Divvy.Tests.Jobs", "Divvy.Tests.Jobs.dll");

    public static string DancePartyDll => Output("examples/DanceParty", "DanceParty.dll");

    public static string DancePartyAppHost => Output("examples/DanceParty", OperatingSystem.IsWindows() ? "DanceParty.exe" : "DanceParty");

    public static string TracedRunDll => Output("examples/TracedRun", "TracedRun.dll");

    public static string HostedDivvyDll => Output("examples/HostedDivvy", "HostedDivvy.dll");

    public static string CliDll => Output("src/Divvy.Cli", "Divvy.Cli.dll");

    public static string LibraryDll => Output("src/Divvy", "Divvy.dll");

    public static string BenchDll => Output("bench/Divvy.Bench", "Divvy.Bench.dll");

    private static string Output(string project, string file)
    {
        string path = Path.Combine(RepositoryRoot, project, "bin", s_configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"build output missing: {path} (build the solution first)");
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Divvy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find Divvy.sln above " + AppContext.BaseDirectory);
    }
}
