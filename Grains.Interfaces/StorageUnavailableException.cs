namespace Grains.Interfaces;

/// <summary>
/// The database did not take a read or a write (it is down, unreachable or refused the statement). Nothing the call was
/// doing was recorded: the same call can be sent again. Carries the database error's text, not the error itself, so it
/// crosses grain calls whatever driver raised it.
/// </summary>
[GenerateSerializer, Alias("StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message) : base(message)
    {
    }

    public static StorageUnavailableException From(Exception cause) =>
        new($"The database did not answer: {cause.GetType().Name}: {cause.Message}");
}
