using Divvy;

// Everything up to Run() also runs in each worker, which re-launches this program: keep it cheap.
int tickets = args.Length > 0 ? int.Parse(args[0]) : 10;

RunSummary summary = new Master(new DanceParty.DanceParty(tickets), 5).Run();

// From here on we are in the master only.
Console.Error.WriteLine($"DanceParty {summary}");
return summary.IsSuccess ? 0 : 1;
