using Microsoft.Extensions.Configuration;

namespace HostedDivvy;

/// <summary>A service the job takes from the container: built once per process, from the host's configuration.</summary>
public sealed class Greeter(IConfiguration configuration)
{
    private readonly string _greeting = configuration.GetValue("Greeting", "hello")!;

    public string Greet(int item) => $"{_greeting} {item}";
}
