using System.ComponentModel;

namespace Divvy.Tests.Support;

/// <summary>
/// The two-host Slurm cluster of <c>tests/slurm/two-hosts.sh</c>: two nodes, each a slurmd in its
/// own network namespace on a bridge, slurmctld and the master in the root namespace. Found once
/// per test run by its configuration path and the names its start wrote (<c>hosts.env</c>); it can
/// cut a host off the network and heal it. Specs that need it are
/// <see cref="SlurmTwoHostFactAttribute"/>s, skipped with <see cref="Unavailable"/> as the reason.
/// </summary>
internal sealed class SlurmTwoHostCluster
{
    /// <summary>Where <c>tests/slurm/two-hosts.sh</c> keeps the cluster unless <c>DIVVY_SLURM_2H_DIR</c> says otherwise.</summary>
    public const string DefaultDirectory = "/tmp/divvy-slurm-2h";

    /// <summary>How a developer gets the cluster (as root); named in every reason for skipping.</summary>
    public const string StartCommand = "tests/slurm/two-hosts.sh start";

    // sinfo states of a node that takes jobs and answers; anything else (down, drained, "*" not responding) does not.
    private static readonly string[] s_readyStates = ["idle", "mixed", "allocated", "completing"];
    private static readonly Lazy<(SlurmTwoHostCluster? Cluster, string? Unavailable)> s_found = new(Probe);

    private readonly IReadOnlyDictionary<string, string> _links;

    private SlurmTwoHostCluster(SlurmCluster slurm, IReadOnlyDictionary<string, string> state)
    {
        Slurm = slurm;
        Gateway = state["GATEWAY"];
        HostA = state["NS_A"];
        HostB = state["NS_B"];
        _links = new Dictionary<string, string> { [HostA] = state["VETH_A"], [HostB] = state["VETH_B"] };
    }

    /// <summary>Slurm's tools against this cluster, and the environment (<c>SLURM_CONF</c>) a master needs to submit to it.</summary>
    public SlurmCluster Slurm { get; }

    /// <summary>The bridge's address in the root namespace (<c>10.213.R.1</c>): what a master listens on so that both hosts reach it.</summary>
    public string Gateway { get; }

    /// <summary>The first host: its Slurm node name, which is also its network namespace's.</summary>
    public string HostA { get; }

    /// <summary>The second host: its Slurm node name, which is also its network namespace's.</summary>
    public string HostB { get; }

    /// <summary>Why there is no two-host cluster to run on; null when <see cref="Find"/> found one.</summary>
    public static string? Unavailable => s_found.Value.Unavailable;

    /// <summary>The skip reason of every two-host spec when there is no cluster.</summary>
    public static string SkipReason => "two-host Slurm specs skipped: " + Unavailable;

    /// <summary>
    /// The cluster, or null (with <see cref="Unavailable"/> saying why) unless this process is root
    /// (cutting a link is), <c>two-hosts.sh start</c> left its configuration and names, and both
    /// nodes answer <c>sinfo</c> ready. Looked for once per test run.
    /// </summary>
    public static SlurmTwoHostCluster? Find() => s_found.Value.Cluster;

    /// <summary>Skips a spec when there is no cluster, with <see cref="SkipReason"/> also in its displayed name (as <see cref="SlurmCluster.SkipUnlessFound"/> does).</summary>
    public static void SkipUnlessFound(FactAttribute spec, string file, string member)
    {
        if (Find() is null)
        {
            spec.Skip = SkipReason;
            spec.DisplayName = $"{Path.GetFileNameWithoutExtension(file).Split('.')[0]}.{member} ({SkipReason})";
        }
    }

    /// <summary>Takes the host's link down (<c>ip link set VETH down</c> on its bridge port): no FIN, no RST, its packets just stop.</summary>
    public Task CutAsync(string host) => Slurm.RunAsync("ip", "link", "set", _links[host], "down");

    /// <summary>Brings the host's link up again.</summary>
    public Task HealAsync(string host) => Slurm.RunAsync("ip", "link", "set", _links[host], "up");

    /// <summary>The host (network namespace) a live process runs in, or null when it is in none of this cluster's (or gone).</summary>
    public async Task<string?> HostOfAsync(int pid)
    {
        try
        {
            string names = await Slurm.RunAsync("ip", "netns", "identify", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return names.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(n => n == HostA || n == HostB);
        }
        catch (InvalidOperationException)
        {
            // ip exits non-zero for a process that is gone.
            return null;
        }
    }

    private static (SlurmTwoHostCluster?, string?) Probe()
    {
        string directory = System.Environment.GetEnvironmentVariable("DIVVY_SLURM_2H_DIR") is { Length: > 0 } set ? set : DefaultDirectory;
        string conf = Path.Combine(directory, "etc", "slurm.conf");
        string names = Path.Combine(directory, "hosts.env");
        if (!File.Exists(conf) || !File.Exists(names))
        {
            return (null, $"no two-host cluster: {names} does not exist; start one (as root) with: {StartCommand}");
        }

        if (!System.Environment.IsPrivilegedProcess)
        {
            return (null, "the two-host specs cut a host's link with 'ip link set', which needs root");
        }

        Dictionary<string, string> state = File.ReadAllLines(names)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1]);
        string[] missing = new[] { "GATEWAY", "NS_A", "NS_B", "VETH_A", "VETH_B" }.Where(key => !state.ContainsKey(key)).ToArray();
        if (missing.Length > 0)
        {
            return (null, $"{names} lacks {string.Join(", ", missing)}; restart the cluster with: tests/slurm/two-hosts.sh stop; {StartCommand}");
        }

        var cluster = new SlurmTwoHostCluster(new SlurmCluster(conf), state);
        try
        {
            // Synchronous on purpose: skip reasons are decided in attribute constructors, at discovery.
            string nodes = cluster.Slurm.RunAsync("sinfo", "-h", "-N", "-o", "%N %T").GetAwaiter().GetResult();
            var states = nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line.Split(' ', 2))
                .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");
            string[] notReady = new[] { cluster.HostA, cluster.HostB }.Where(host => !(states.TryGetValue(host, out string? s) && s_readyStates.Contains(s))).ToArray();
            if (notReady.Length > 0)
            {
                return (null, $"nodes {string.Join(", ", notReady)} of the cluster at SLURM_CONF={conf} do not take jobs (sinfo: {string.Join(", ", nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries))})");
            }

            cluster.Slurm.RunAsync("ip", "link", "show", cluster._links[cluster.HostB]).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or Win32Exception)
        {
            // A tool missing, failing or hanging: the cluster is not usable, and the reason says which.
            return (null, $"{ex.Message} (SLURM_CONF={conf}); restart the cluster with: tests/slurm/two-hosts.sh stop; {StartCommand}");
        }

        return (cluster, null);
    }
}
