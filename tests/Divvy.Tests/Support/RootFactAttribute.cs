namespace Divvy.Tests.Support;

/// <summary>A fact that needs root (to act as another user with <c>setpriv</c>); skipped, saying so, otherwise. CI runs as root.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv"))
        {
            Skip = "needs root and setpriv, to connect as another user";
        }
    }
}
