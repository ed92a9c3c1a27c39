using System.Runtime.CompilerServices;

namespace Divvy.Tests.Support;

/// <summary>
/// A fact that drives a real headless Chromium (<see cref="Chromium"/>); without one it is skipped,
/// and the test output says why (<c>Browser specs skipped: ...</c>), in its name too, since the
/// default console output of <c>dotnet test</c> prints a skipped test's name but not its reason.
/// </summary>
internal sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute([CallerMemberName] string spec = "", [CallerFilePath] string file = "")
    {
        if (Chromium.Unavailable is { } reason)
        {
            Skip = "Browser specs skipped: " + reason;
            DisplayName = $"{System.IO.Path.GetFileNameWithoutExtension(file)}.{spec} ({Skip})";
        }
    }
}
