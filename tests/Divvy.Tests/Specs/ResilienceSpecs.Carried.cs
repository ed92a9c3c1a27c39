using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>Attempts that fail with what they produced (<see cref="AttemptFailedException"/>): retried and counted as failures, their result kept.</summary>
public sealed partial class ResilienceSpecs
{
    [Fact]
    public async Task An_attempt_that_fails_with_its_result_is_retried_and_an_item_out_of_retries_keeps_its_last_attempts_result()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--retries", "1", "--retry-delay", "10ms", .. Job("PartialJob", _markers, "3", "2")]);

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);

        Finals(run).Should().HaveCount(3).And.OnlyContain(f => f["status"] == "Failed" && f["attempts"] == "2" && f["value"] == $"partial_{f["item"]}.2" && f["error"] == $"attempt_{f["item"]}.2_failed");
        Count(run, "failed").Should().Be(3, "the run's own summary counts them");
        Count(run, "retries").Should().Be(3);
    }

    [Fact]
    public async Task An_attempt_that_fails_with_its_result_and_then_succeeds_ends_with_the_success()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--retries", "2", "--retry-delay", "10ms", .. Job("PartialJob", _markers, "3", "1")]);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        Finals(run).Should().HaveCount(3).And.OnlyContain(f => f["status"] == "Succeeded" && f["attempts"] == "2" && f["value"] == $"done_{f["item"]}.2");
    }
}
