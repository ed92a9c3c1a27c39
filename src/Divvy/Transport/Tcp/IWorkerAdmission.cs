namespace Divvy.Transport.Tcp;

/// <summary>Who decides whether an authenticated worker gets a slot, and takes it when it does.</summary>
internal interface IWorkerAdmission
{
    /// <summary>The number of worker slots, told to a worker turned away.</summary>
    int Slots { get; }

    /// <summary>Holds a place for one worker while its verdict is sent; <c>false</c> when every slot is taken.</summary>
    bool TryReserve();

    /// <summary>Gives back a place <see cref="TryReserve"/> held, for a worker lost before it was admitted.</summary>
    void Release();

    /// <summary>Takes an accepted worker's connection, in the place reserved for it.</summary>
    void Admit(TcpConnection connection);
}
