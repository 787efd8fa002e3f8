namespace TinyStack.Http;

/// <summary>Runs around the routed handler: may answer by itself, or call <paramref name="next"/>.</summary>
public delegate ValueTask HttpMiddleware(HttpContext context, HttpHandler next);
