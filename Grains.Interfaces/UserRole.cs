namespace Grains.Interfaces;

/// <summary>What an account may do: admins everything, managers run campaigns, annotators annotate where they are members.</summary>
[GenerateSerializer, Alias("UserRole")]
public enum UserRole
{
    Annotator = 0,
    Manager = 1,
    Admin = 2,
}
