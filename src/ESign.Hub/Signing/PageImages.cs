using ESign.Hub.Documents;
using ESign.Hub.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Signing;

/// <summary>PNG images of document pages for the signing page, rendered once and kept in the blob store beside the PDF.</summary>
public sealed class PageImages(IBlobStore blobs, DocumentStore documents, PageRasterizer rasterizer, IOptions<SigningOptions> options)
{
    public async Task<Stream?> OpenAsync(Document document, int page, CancellationToken ct)
    {
        var dpi = options.Value.PageImageDpi;
        var key = $"{document.BlobKey}.pages/{page}-{dpi}.png";
        var cached = await blobs.OpenReadAsync(key, ct);
        if (cached is not null) return cached;

        var pdf = await documents.ReadAsync(document, ct);
        if (pdf is null) return null;
        var png = await rasterizer.RenderPngAsync(pdf, page, document.PageSizes[page - 1], ct, dpi);
        if (png is null) return null;
        await blobs.PutAsync(key, png, ct);
        return new MemoryStream(png, writable: false);
    }
}
