namespace TinyStack.Http.Client;

/// <summary>What <see cref="HttpGet.FetchAsync"/> received.</summary>
public sealed record HttpGetResult(HttpClientResponse Response, long BodyBytes, TimeSpan Elapsed);
