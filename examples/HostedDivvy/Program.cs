using Divvy.Hosting;
using HostedDivvy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Master and workers alike run this program and build the same services.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton<Greeter>();            // what the job needs, in the master and in each worker
builder.Services.AddHostedService<StartupBanner>();  // a web server, a queue listener...: master only
builder.Services.AddDivvy<GreetingJob>();            // options from "Divvy" in appsettings.json, --Divvy:Workers 4...
using IHost host = builder.Build();

// The master runs the host, and the job with it; a worker never starts the host: it runs the worker loop.
await host.RunDivvyAsync();
