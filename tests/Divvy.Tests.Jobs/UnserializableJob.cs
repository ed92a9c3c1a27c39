namespace Divvy.Tests.Jobs;

/// <summary>A plain class without [MessagePackObject]: cannot travel.</summary>
public sealed class Parcel
{
    public string Address { get; set; } = "";
}

/// <summary>Dispatches an item MessagePack cannot serialize.</summary>
public sealed class UnserializableJob : IParallelizable<Parcel>
{
    public IEnumerable<Parcel> Dispatch()
    {
        yield return new Parcel { Address = "1 Main St" };
    }

    public void Perform(Parcel item) => Report.Line("performed a parcel, which should be impossible");
}
