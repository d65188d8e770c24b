namespace Grains.Interfaces;

public interface IHealthGrain : IGrainWithIntegerKey
{
    /// <summary>The address of the silo that answered.</summary>
    Task<string> Ping();

    /// <summary>Runs a trivial statement on the campaign database; throws when it does not answer.</summary>
    Task CheckStorage();
}
