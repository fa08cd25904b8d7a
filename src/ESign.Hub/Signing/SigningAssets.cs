using Microsoft.Extensions.FileProviders;

namespace ESign.Hub.Signing;

/// <summary>
/// The signing page's HTML, CSS and JavaScript (<c>wwwroot/signing</c>), embedded in the assembly so the hub serves them
/// whatever its working directory.
/// </summary>
public sealed class SigningAssets
{
    public IFileProvider Files { get; } = new EmbeddedFileProvider(typeof(SigningAssets).Assembly, "ESign.Hub.wwwroot");

    public Stream OpenPage() => Files.GetFileInfo("signing/index.html").CreateReadStream();
}
