using Divvy;
using HashJob;

// Each worker re-runs this program from the top: code before Run() runs in every worker too.
var options = new MasterOptions { Workers = 4, MaxRetries = 2 };
RunSummary summary = new Master(new HashFiles(args), options).Run(); // in a worker, never returns

// From here on we are in the master only.
Console.Error.WriteLine(summary);
return summary.IsSuccess ? 0 : 1;
