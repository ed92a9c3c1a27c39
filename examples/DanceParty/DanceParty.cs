using System.Security.Cryptography;
using System.Text;
using Divvy;

namespace DanceParty;

/// <summary>
/// Divvy's seed example, after rtomayko/divvy's: generate ticket codes for a dance party, one
/// worker process per ticket at a time.
/// </summary>
public sealed class DanceParty : IParallelizable<int>
{
    private readonly int _tickets;

    // Used by `divvy -n 5 DanceParty.dll 20`: the first argument is the ticket count.
    public DanceParty(string[] args) : this(args.Length > 0 ? int.Parse(args[0]) : 10) { }

    public DanceParty(int tickets) => _tickets = tickets;

    // Runs in the master only.
    public IEnumerable<int> Dispatch()
    {
        Console.WriteLine($"Generating {_tickets} ticket codes");
        for (int ticket = 1; ticket <= _tickets; ticket++)
        {
            yield return ticket;
        }
    }

    // Runs in a worker, one ticket at a time.
    public async ValueTask PerformAsync(int ticket, CancellationToken cancellationToken)
    {
        string code = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(ticket.ToString())));
        Console.WriteLine($"{Environment.ProcessId,7} {ticket,3} {code}");
        await Task.Delay(150, cancellationToken);
    }
}
