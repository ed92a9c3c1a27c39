using System.Runtime.CompilerServices;

namespace Divvy.Tests.Support;

/// <summary>
/// A theory that runs on a real Slurm cluster (<see cref="SlurmCluster.Find"/>); without one it is
/// skipped, and the test output says why (<c>Slurm specs skipped: ...</c>). Mark the spec class
/// <c>[Trait("Category", "Slurm")]</c> too.
/// </summary>
internal sealed class SlurmTheoryAttribute : TheoryAttribute
{
    /// <summary>Looks for the cluster; the compiler fills in the spec's name and file.</summary>
    public SlurmTheoryAttribute([CallerMemberName] string spec = "", [CallerFilePath] string file = "")
        => SlurmCluster.SkipUnlessFound(this, file, spec);
}
