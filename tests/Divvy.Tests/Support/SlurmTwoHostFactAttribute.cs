using System.Runtime.CompilerServices;

namespace Divvy.Tests.Support;

/// <summary>
/// A fact that runs on the two-host Slurm cluster (<see cref="SlurmTwoHostCluster.Find"/>); without
/// it the spec is skipped, and the test output says why (<c>two-host Slurm specs skipped: ...</c>).
/// Mark the spec class <c>[Trait("Category", "Slurm")]</c> too.
/// </summary>
internal sealed class SlurmTwoHostFactAttribute : FactAttribute
{
    /// <summary>Looks for the cluster; the compiler fills in the spec's name and file.</summary>
    public SlurmTwoHostFactAttribute([CallerMemberName] string spec = "", [CallerFilePath] string file = "")
        => SlurmTwoHostCluster.SkipUnlessFound(this, file, spec);
}
