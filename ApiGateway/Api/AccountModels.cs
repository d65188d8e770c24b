namespace ApiGateway.Api;

// The JSON shapes of accounts, tokens and campaign membership.

public sealed record CredentialsRequest(string? UserName, string? Password, string? TokenName = null);

public sealed record AccountDto(string UserName, string Role);

public sealed record MeDto(string UserName, string Role, string? AntiforgeryToken);

public sealed record NewTokenRequest(string? Name);

public sealed record TokenDto(string Id, string Name, string LastFour, DateTimeOffset CreatedAt);

public sealed record TokenListDto(IReadOnlyList<TokenDto> Tokens);

public sealed record CreatedTokenDto(string Id, string Name, string Token, DateTimeOffset CreatedAt);

public sealed record NewUserRequest(string? UserName, string? Password, string? Role);

public sealed record PasswordRequest(string? Password);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? Password);

public sealed record UserDto(string UserName, string Role, bool Qualified, DateTimeOffset CreatedAt);

public sealed record UserListDto(IReadOnlyList<UserDto> Users);

public sealed record MemberDto(string UserName, string Role, bool Qualified);

public sealed record MemberListDto(IReadOnlyList<MemberDto> Members);
