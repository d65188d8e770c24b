namespace Grains.Interfaces;

/// <summary>Every user name (single grain, key 0; written once per account).</summary>
public interface IUserDirectoryGrain : IGrainWithIntegerKey
{
    Task Add(string userName);

    Task<IReadOnlyList<string>> List();
}
