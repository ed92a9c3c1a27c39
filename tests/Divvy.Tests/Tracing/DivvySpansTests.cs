using System.Diagnostics;
using Divvy.Tracing;

namespace Divvy.Tests.Tracing;

public sealed class DivvySpansTests
{
    [Fact]
    public void A_Perform_span_continues_the_trace_its_item_carried_and_is_current_until_disposed()
    {
        const string parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Activity? before = Activity.Current;

        using (IDisposable span = DivvySpans.StartPerform(parent, "congo=t61rcWkgMzE", 42))
        {
            Activity current = Activity.Current!;
            current.Should().BeSameAs(span);
            (current.TraceId.ToString(), current.ParentSpanId.ToString(), current.TraceStateString).Should().Be(("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "congo=t61rcWkgMzE"));
            current.GetTagItem("divvy.item.id").Should().Be(42L);
        }

        Activity.Current.Should().BeSameAs(before);
    }
}
