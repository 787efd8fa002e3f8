namespace TinyStack.Http;

/// <summary>Handles one request: reads <see cref="HttpContext.Request"/>, writes <see cref="HttpContext.Response"/>.</summary>
public delegate ValueTask HttpHandler(HttpContext context);
