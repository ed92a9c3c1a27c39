using Divvy;
using HostedJob;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A worker re-runs this program from the top. Send it to its worker loop before anything builds
// the host: a worker must not start hosted services, bind a web server's port or run start-up code.
if (Master.IsWorker)
{
    new Master(new SquareJob()).Run(); // in a worker, never returns
}

// From here on we are in the master only.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddHostedService<Announcer>(); // stands for a web server, a queue listener...
builder.Services.AddHostedService<JobRunner>();
using IHost host = builder.Build();
await host.RunAsync();
