namespace ESign.Hub.Hosting;

/// <summary>One page of a list. Pass <c>next_cursor</c> as <c>starting_after</c> to get the next page.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Data, bool HasMore, string? NextCursor);
