using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Divvy.Bench.Micro -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Divvy.Bench.Micro.WireBenchmarks).Assembly).Run(args);
