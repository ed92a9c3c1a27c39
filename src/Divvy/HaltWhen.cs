namespace Divvy;

/// <summary>How a halt policy stops the run.</summary>
public enum HaltWhen
{
    /// <summary>Never halt on failures.</summary>
    Never = 0,

    /// <summary>Send no new items; let the items in hand finish.</summary>
    Soon = 1,

    /// <summary>Kill the workers at once; items in hand are not finished.</summary>
    Now = 2,
}
