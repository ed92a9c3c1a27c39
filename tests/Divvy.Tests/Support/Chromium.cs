namespace Divvy.Tests.Support;

/// <summary>
/// Debian's Chromium, which the browser specs drive headless through Playwright (Playwright's own
/// browser download is not used): <c>DIVVY_CHROMIUM</c>, else <c>/usr/bin/chromium</c>.
/// <c>tests/browser/install-chromium.sh</c> installs it, and <c>.ci/run</c> runs that.
/// </summary>
internal static class Chromium
{
    public static string Path => Environment.GetEnvironmentVariable("DIVVY_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Why the browser specs cannot run; null when Chromium is there.</summary>
    public static string? Unavailable => File.Exists(Path) ? null : $"no Chromium at {Path} (run tests/browser/install-chromium.sh as root, or set DIVVY_CHROMIUM)";
}
