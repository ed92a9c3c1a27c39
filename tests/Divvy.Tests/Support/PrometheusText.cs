using System.Text.RegularExpressions;

namespace Divvy.Tests.Support;

/// <summary>Prometheus text as the specs compare it.</summary>
internal static partial class PrometheusText
{
    /// <summary>The text without the labels OpenTelemetry's exporter puts on every series (the meter's name and version).</summary>
    public static string WithoutScope(string text) => ScopeLabels().Replace(text, "").Replace("{}", "", StringComparison.Ordinal);

    [GeneratedRegex("""otel_scope_name="[^"]*",otel_scope_version="[^"]*",?""")]
    private static partial Regex ScopeLabels();
}
