namespace TinyStack.Interface;

/// <summary>The payload bytes [Start, End) that one received fragment covered.</summary>
internal readonly record struct FragmentRange(int Start, int End);
