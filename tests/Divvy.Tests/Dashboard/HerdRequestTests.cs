using Divvy.Dashboard;

namespace Divvy.Tests.Dashboard;

public sealed class HerdRequestTests
{
    [Theory]
    [InlineData("""{"num": 0}""", 0)]
    [InlineData("""{"num": 7}""", 7)]
    [InlineData("""{"num": 1024, "note": "extra fields are ignored"}""", 1024)]
    public void Accepts_a_worker_count(string body, int workers)
    {
        HerdRequest.Parse(body, 1024, out string? error).Should().Be(workers);
        error.Should().BeNull();
    }

    [Theory]
    [InlineData("", "the body must be JSON: {\"num\": N}")]
    [InlineData("num=3", "the body must be JSON: {\"num\": N}")]
    [InlineData("[3]", "the body must be {\"num\": N}")]
    [InlineData("""{"n": 3}""", "the body must be {\"num\": N}")]
    [InlineData("""{"num": "three"}""", "num must be a whole number")]
    [InlineData("""{"num": 1.5}""", "num must be a whole number")]
    [InlineData("""{"num": -1}""", "num must not be negative")]
    [InlineData("""{"num": 5000}""", "num must be at most 1024")]
    public void Refuses_anything_else_saying_why(string body, string error)
    {
        HerdRequest.Parse(body, 1024, out string? said).Should().BeNull();
        said.Should().Be(error);
    }
}
