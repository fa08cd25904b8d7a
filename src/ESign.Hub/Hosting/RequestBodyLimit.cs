using Microsoft.Extensions.Options;

namespace ESign.Hub.Hosting;

/// <summary>
/// The one place a request body's size is limited. The largest body any route needs is a PDF of
/// <see cref="HubOptions.MaxUploadBytes"/> sent as base64 JSON, plus room for the rest of the request. A body over that
/// limit fails here, the same way for every reader (the multipart form reader, JSON, the idempotency hash), as a
/// <see cref="BadHttpRequestException"/> with status 413 that <see cref="ApiExceptionHandler"/> turns into a problem
/// naming the limit. Before this, the form reader's own smaller limit threw an unmapped <c>InvalidDataException</c>
/// (a 500) for multipart bodies between the two limits.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<HubOptions> options)
{
    /// <summary>Room for JSON punctuation, other fields, multipart headers and boundaries around the PDF.</summary>
    private const long EnvelopeBytes = 1 << 20;

    /// <summary>
    /// How far past the limit a refused body is still read (and thrown away) so that the client, which is usually still
    /// sending, gets to read the 413. A larger body is cut off: the connection closes and the client may see only that.
    /// </summary>
    private const long DrainBytes = 64 << 20;

    /// <summary>Largest request body the hub reads: a base64 PDF of <paramref name="maxUploadBytes"/> plus its envelope.</summary>
    public static long MaxBodyBytes(long maxUploadBytes) => (maxUploadBytes + 2) / 3 * 4 + EnvelopeBytes;

    /// <summary>Kestrel's own limit, a backstop past everything this middleware reads or drains.</summary>
    public static long ServerBodyLimitBytes(long maxUploadBytes) => MaxBodyBytes(maxUploadBytes) + DrainBytes;

    public async Task InvokeAsync(HttpContext http)
    {
        var limit = MaxBodyBytes(options.Value.MaxUploadBytes);
        var body = http.Request.Body;
        if (http.Request.ContentLength > limit)
        {
            // Refused before a byte of it is used.
            if (http.Request.ContentLength <= limit + DrainBytes) await DrainAsync(body, http.RequestAborted);
            throw TooLarge(limit);
        }
        // A chunked body has no length to check up front (and a declared one may lie): count it as it is read.
        var limited = new LimitedRequestStream(body, limit);
        http.Request.Body = limited;
        try
        {
            await next(http);
        }
        catch (Exception) when (limited.Exceeded && !http.Response.HasStarted)
        {
            // Whatever reader hit the limit (form reader, JSON, idempotency hash) and however it wrapped the error, the
            // answer is the same 413.
            await DrainAsync(body, http.RequestAborted);
            throw TooLarge(limit);
        }
        finally
        {
            http.Request.Body = body;
        }
        if (limited.Exceeded && !http.Response.HasStarted)
        {
            // Minimal API parameter binding catches the 413 itself and only sets the status: answer it the same way.
            await DrainAsync(body, http.RequestAborted);
            throw TooLarge(limit);
        }
    }

    private static async Task DrainAsync(Stream body, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        long drained = 0;
        try
        {
            int read;
            while (drained <= DrainBytes && (read = await body.ReadAsync(buffer, ct)) > 0) drained += read;
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            // The client gave up or the body broke off: the 413 is still the answer.
        }
    }

    internal static BadHttpRequestException TooLarge(long limit) =>
        new($"The request body is larger than the {limit:N0} bytes this hub reads.", StatusCodes.Status413PayloadTooLarge);

    /// <summary>A read-only view of the request body that fails with a 413 once more than its limit has been read.</summary>
    private sealed class LimitedRequestStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public bool Exceeded => _read > limit;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            Count(await inner.ReadAsync(buffer, ct));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        private int Count(int read)
        {
            _read += read;
            if (_read > limit) throw TooLarge(limit);
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
