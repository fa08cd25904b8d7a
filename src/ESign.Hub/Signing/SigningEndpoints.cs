using ESign.Hub.Auth;
using ESign.Hub.Documents;
using ESign.Hub.Hosting;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using ESign.Hub.Storage.Blobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ESign.Hub.Signing;

public sealed record SigningPageState(
    string Status, string AccountName, SigningPageRequest Request, SigningPageSigner Signer, IReadOnlyList<string>? WaitingFor,
    string ConsentText, SigningPageDocument? Document, IReadOnlyList<SigningPageField>? Fields);

public sealed record SigningPageRequest(string Id, string Title, string? Message, bool TestMode);

public sealed record SigningPageSigner(string Id, string Name, string Email, SignerStatus Status, bool Consented);

public sealed record SigningPageDocument(int PageCount, IReadOnlyList<SigningPagePage> Pages);

public sealed record SigningPagePage(int Number, double Width, double Height, string ImageUrl);

public sealed record SigningPageField(string Id, string Type, int Page, double X, double Y, double Width, double Height, bool Required, string? Label, string? Value);

public sealed record AccessCodeBody(string? Code);

public sealed record DeclineBody(string? Reason);

public sealed record SessionResponse(string SessionUrl);

public sealed record SignResponse(SignerStatus Status, SignatureRequestStatus RequestStatus, string? SignedPdfUrl);

public sealed record EmbeddedUrlResponse(string EmbedUrl, DateTime ExpiresAt);

/// <summary>
/// The signer-facing pages and their JSON actions under <c>/sign/{token}</c>, plus the API call that makes an embedded
/// signing URL. A token is a signer's email link or a session; no API credential is involved.
/// </summary>
public static class SigningEndpoints
{
    public static IEndpointRouteBuilder MapSigningEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/signature-requests/{id}/signers/{signerId}/embedded-url", CreateEmbeddedUrl)
            .WithTags("Signature requests").WithName("CreateEmbeddedSigningUrl")
            .WithSummary("A single-use URL (5 minutes) that opens the signer's signing page, for an iframe in your app")
            .ProducesAuthProblems().ProducesProblems(404, 409)
            .RequireScope(Scopes.SignatureRequestsWrite);

        var sign = app.MapGroup("/sign").WithTags("Signing pages").AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        sign.MapGet("/e/{token}", OpenEmbeddedUrl);
        sign.MapGet("/{token}", OpenSigningPage);
        sign.MapPost("/{token}/access-code", VerifyAccessCode);
        sign.MapPost("/{token}/consent", Consent);
        sign.MapPost("/{token}/sign", Sign);
        sign.MapPost("/{token}/decline", Decline);
        sign.MapGet("/{token}/pages/{page:int}.png", PageImage);
        sign.MapGet("/{token}/signed.pdf", SignedPdf);
        app.MapGet("/signing/fonts/handwriting.otf", HandwritingFont).ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    private static async Task<Results<Ok<EmbeddedUrlResponse>, ProblemHttpResult>> CreateEmbeddedUrl(
        string id, string signerId, HubDbContext db, PublicUrls urls, TimeProvider clock, IOptions<SigningOptions> options, CancellationToken ct)
    {
        var request = await db.SignatureRequests.Include(r => r.Signers).AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (request is null) return Problems.NotFound("signature request", id);
        var signer = request.Signers.FirstOrDefault(s => s.Id == signerId);
        if (signer is null) return Problems.NotFound("signer", signerId);
        if (request.IsFinished || signer.Status is SignerStatus.Signed or SignerStatus.Declined)
            return Problems.Conflict($"Signer '{signerId}' cannot sign anymore: the request is {Json.EnumName(request.Status)} and the signer is {Json.EnumName(signer.Status)}.");
        var now = clock.GetUtcNow().UtcDateTime;
        var (session, token) = SigningSession.Create(request.AccountId, request.TestMode, request.Id, signer.Id, SigningSessionKind.Embedded,
            accessCodeVerified: false, "Embedded signing session", now, TimeSpan.FromSeconds(options.Value.EmbeddedUrlLifetimeSeconds));
        db.SigningSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new EmbeddedUrlResponse($"{urls.BaseUrl}/sign/e/{token}", session.ExpiresAt));
    }

    /// <summary>Opening an embedded URL uses it up and turns it into a signing session.</summary>
    private static async Task<IResult> OpenEmbeddedUrl(string token, HttpContext http, HubDbContext db, TimeProvider clock,
        IOptions<SigningOptions> options, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var hash = SecretTokens.Hash(token);
        var embedded = await db.SigningSessions.IgnoreQueryFilters()
            .FirstOrDefaultAsync(s => s.TokenHash == hash && s.Kind == SigningSessionKind.Embedded, ct);
        if (embedded is null || !embedded.IsUsable(now))
            return Gone(http, "invalid", "This embedded signing link has expired or was already used. Ask the app you came from to open it again.");
        embedded.MarkUsed(now);
        var (session, sessionToken) = SigningSession.Create(embedded.AccountId, embedded.TestMode, embedded.SignatureRequestId, embedded.SignerId,
            SigningSessionKind.Session, accessCodeVerified: false, embedded.Authentication, now, TimeSpan.FromMinutes(options.Value.SessionLifetimeMinutes));
        db.SigningSessions.Add(session);
        await db.SaveChangesAsync(ct);
        AddPageSecurityHeaders(http, options.Value);
        return Results.Redirect($"/sign/{sessionToken}");
    }

    /// <summary>
    /// The page itself for browsers; its state for <c>Accept: application/json</c>. A link that can no longer be used
    /// answers 410 with the reason, and the page shows that reason without any way to sign.
    /// </summary>
    private static async Task<IResult> OpenSigningPage(string token, HttpContext http, SignerAccessResolver resolver, HubDbContext db,
        SigningAssets assets, TimeProvider clock, IOptions<SigningOptions> options, CancellationToken ct)
    {
        AddPageSecurityHeaders(http, options.Value);
        if (!WantsJson(http.Request))
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.File(assets.OpenPage(), "text/html; charset=utf-8");
        }
        var access = await resolver.ResolveAsync(token, ct);
        if (Closed(access, token) is { } closed) return closed(http);
        var (request, signer) = (access!.Request, access.Signer);
        var pageRequest = new SigningPageRequest(request.Id, request.Title, request.Message, request.TestMode);

        if (access.NeedsAccessCode)
            return Results.Json(new SigningPageState("access_code_required", access.Account.Name, pageRequest, SignerView(signer), null,
                SigningActions.ConsentText, null, null));
        var before = request.SignersBefore(signer);
        if (signer.Status == SignerStatus.Waiting)
            return Results.Json(new SigningPageState("waiting", access.Account.Name, pageRequest, SignerView(signer),
                before.Select(s => s.Name).ToList(), SigningActions.ConsentText, null, null));

        request.MarkViewed(signer, Context(http, clock));
        await db.SaveChangesAsync(ct);
        var document = await db.Documents.AsNoTracking().FirstAsync(d => d.Id == request.DocumentId, ct);
        var pages = document.PageSizes.Select((size, i) => new SigningPagePage(i + 1, size.Width, size.Height, $"/sign/{token}/pages/{i + 1}.png")).ToList();
        var fields = request.Fields.Where(f => f.SignerId == signer.Id).OrderBy(f => f.Page).ThenBy(f => f.Y).ThenBy(f => f.X)
            .Select(f => new SigningPageField(f.Id, FieldRules.Name(f.Type), f.Page, f.X, f.Y, f.Width, f.Height, f.Required, f.Label,
                f.Type switch { FieldType.Name => signer.Name, FieldType.Email => signer.Email, _ => f.Value }))
            .ToList();
        return Results.Json(new SigningPageState("ready", access.Account.Name, pageRequest, SignerView(signer), null, SigningActions.ConsentText,
            new SigningPageDocument(document.PageCount, pages), fields));
    }

    private static async Task<IResult> VerifyAccessCode(string token, AccessCodeBody body, HttpContext http, SignerAccessResolver resolver,
        SigningActions actions, CancellationToken ct)
    {
        var access = await resolver.ResolveAsync(token, ct);
        if (Closed(access, token) is { } closed) return closed(http);
        var (session, status, detail) = await actions.VerifyAccessCodeAsync(access!, body.Code, ct);
        return session is null
            ? Results.Problem(statusCode: status, detail: detail)
            : Results.Json(new SessionResponse($"/sign/{session}"));
    }

    private static async Task<IResult> Consent(string token, HttpContext http, SignerAccessResolver resolver, SigningActions actions,
        TimeProvider clock, CancellationToken ct)
    {
        var access = await resolver.ResolveAsync(token, ct);
        if (Closed(access, token) is { } closed) return closed(http);
        if (access!.NeedsAccessCode) return Results.Problem(statusCode: 403, detail: "Enter your access code first.");
        await actions.ConsentAsync(access, Context(http, clock), ct);
        return Results.NoContent();
    }

    private static async Task<IResult> Sign(string token, SignBody body, HttpContext http, SignerAccessResolver resolver, SigningActions actions,
        TimeProvider clock, CancellationToken ct)
    {
        var access = await resolver.ResolveAsync(token, ct);
        if (Closed(access, token) is { } closed) return closed(http);
        if (Blocked(access!) is { } blocked) return blocked;
        var (errors, completed) = await actions.SignAsync(access!, body, Context(http, clock), ct);
        if (errors.Any) return Problems.Invalid(errors);
        return Results.Json(completed
            ? new SignResponse(SignerStatus.Signed, SignatureRequestStatus.Completed, $"/sign/{token}/signed.pdf")
            : new SignResponse(SignerStatus.Signed, access!.Request.Status, null));
    }

    private static async Task<IResult> Decline(string token, DeclineBody body, HttpContext http, SignerAccessResolver resolver, SigningActions actions,
        TimeProvider clock, CancellationToken ct)
    {
        var access = await resolver.ResolveAsync(token, ct);
        if (Closed(access, token) is { } closed) return closed(http);
        if (Blocked(access!) is { } blocked) return blocked;
        var errors = await actions.DeclineAsync(access!, body.Reason, Context(http, clock), ct);
        return errors.Any ? Problems.Invalid(errors) : Results.Json(new { status = "declined" });
    }

    private static async Task<IResult> PageImage(string token, int page, HttpContext http, SignerAccessResolver resolver, HubDbContext db,
        PageImages images, CancellationToken ct)
    {
        var access = await resolver.ResolveAsync(token, ct);
        if (Closed(access, token) is { } closed) return closed(http);
        if (access!.NeedsAccessCode || access.Signer.Status == SignerStatus.Waiting)
            return Results.Problem(statusCode: 403, detail: "The document is not available to you yet.");
        var document = await db.Documents.AsNoTracking().FirstAsync(d => d.Id == access.Request.DocumentId, ct);
        if (page < 1 || page > document.PageCount) return Results.Problem(statusCode: 404, detail: $"The document has {document.PageCount} pages.");
        Stream? image;
        try
        {
            image = await images.OpenAsync(document, page, ct);
        }
        catch (PageRenderException e)
        {
            return Results.Problem(statusCode: 422, detail: e.Message + " Download the PDF to read it.");
        }
        if (image is null) return Results.Problem(statusCode: 410, detail: "The document's file is no longer stored.");
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return Results.File(image, "image/png");
    }

    /// <summary>The sealed PDF, for signers of a completed request (their link is used up, but still proves who they are).</summary>
    private static async Task<IResult> SignedPdf(string token, SignerAccessResolver resolver, HubDbContext db, IBlobStore blobs, CancellationToken ct)
    {
        var access = await resolver.ResolveAsync(token, ct);
        if (access is null || access.Request.SignedDocumentId is not { } signedId)
            return Results.Problem(statusCode: 404, detail: "There is no signed PDF for this link (yet).");
        var document = await db.Documents.AsNoTracking().FirstAsync(d => d.Id == signedId, ct);
        var stream = await blobs.OpenReadAsync(document.BlobKey, ct);
        return stream is null ? Results.Problem(statusCode: 410, detail: "The signed PDF is no longer stored.") : Results.File(stream, "application/pdf", document.Name);
    }

    /// <summary>Debian's Dancing Script (package fonts-dancingscript), for typed signatures; the page falls back to cursive.</summary>
    private static IResult HandwritingFont()
    {
        const string path = "/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf";
        return File.Exists(path)
            ? Results.File(path, "font/otf")
            : Results.Problem(statusCode: 404, detail: "The handwriting font is not installed (Debian package fonts-dancingscript).");
    }

    /// <summary>Why a link cannot be used, or null when it can.</summary>
    private static Func<HttpContext, IResult>? Closed(SignerAccess? access, string token)
    {
        if (access is null) return http => Gone(http, "invalid", "This signing link is not valid. Use the newest link the sender emailed you.");
        var (request, signer) = (access.Request, access.Signer);
        if (request.Status == SignatureRequestStatus.Completed)
            return http => Gone(http, "completed", $"“{request.Title}” has been signed by everyone.", $"/sign/{token}/signed.pdf");
        if (signer.Status == SignerStatus.Signed)
            return http => Gone(http, "signed", $"You signed “{request.Title}” on {signer.SignedAt:yyyy-MM-dd HH:mm} UTC. We will email you the signed PDF when everyone has signed.");
        if (signer.Status == SignerStatus.Declined)
            return http => Gone(http, "declined", $"You declined to sign “{request.Title}”.");
        return request.Status switch
        {
            SignatureRequestStatus.Canceled => http => Gone(http, "canceled", $"The sender canceled “{request.Title}”. There is nothing to sign."),
            SignatureRequestStatus.Expired => http => Gone(http, "expired", $"“{request.Title}” expired on {request.ExpiresAt:yyyy-MM-dd} and can no longer be signed."),
            SignatureRequestStatus.Declined => http => Gone(http, "declined", $"Another signer declined “{request.Title}”, so it can no longer be signed."),
            _ => null,
        };
    }

    private static IResult? Blocked(SignerAccess access)
    {
        if (access.NeedsAccessCode) return Results.Problem(statusCode: 403, detail: "Enter your access code first.");
        if (access.Signer.Status == SignerStatus.Waiting)
        {
            var before = string.Join(", ", access.Request.SignersBefore(access.Signer).Select(s => s.Name));
            return Results.Problem(statusCode: 409, detail: $"It is not your turn yet: {before} must sign first.");
        }
        return null;
    }

    private static IResult Gone(HttpContext http, string reason, string detail, string? signedPdfUrl = null)
    {
        var extensions = new Dictionary<string, object?> { ["reason"] = reason };
        if (signedPdfUrl is not null) extensions["signed_pdf_url"] = signedPdfUrl;
        if (!WantsJson(http.Request) && HttpMethods.IsGet(http.Request.Method))
        {
            // A browser on a dead link still gets the page, which shows the reason, under the same policy as a live one.
            http.Response.StatusCode = 410;
            AddPageSecurityHeaders(http, http.RequestServices.GetRequiredService<IOptions<SigningOptions>>().Value);
            return Results.File(http.RequestServices.GetRequiredService<SigningAssets>().OpenPage(), "text/html; charset=utf-8");
        }
        return Results.Problem(statusCode: 410, title: "This link can no longer be used", detail: detail, extensions: extensions);
    }

    private static bool WantsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            && !accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }

    private static SigningPageSigner SignerView(Signer s) => new(s.Id, s.Name, s.Email, s.Status, s.ConsentedAt is not null);

    private static RequestContext Context(HttpContext http, TimeProvider clock) =>
        new(clock.GetUtcNow().UtcDateTime, http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString());

    /// <summary>
    /// Every signing page's policy: its own scripts and stylesheet only (no inline script or style attribute, so the page
    /// code positions things through the CSSOM), framed only by the hub and the configured embedding apps.
    /// </summary>
    private static void AddPageSecurityHeaders(HttpContext http, SigningOptions options)
    {
        var ancestors = string.Join(' ', new[] { "'self'" }.Concat(options.FrameAncestors));
        http.Response.Headers.ContentSecurityPolicy =
            $"default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; frame-ancestors {ancestors}";
        http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
