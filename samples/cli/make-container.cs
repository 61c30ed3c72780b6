// Creates a container on a local Azurite through the Azure SDK, for cli-demo.sh (a .NET 10 file-based app).
// usage: dotnet run samples/cli/make-container.cs ENDPOINT CONTAINER   (ENDPOINT like http://127.0.0.1:10000/devstoreaccount1)
// The key is Azurite's published development key, not a secret.
#:property ManagePackageVersionsCentrally=false
#:package Azure.Storage.Blobs@12.30.1
#:package Azure.Core@1.64.0
using Azure.Storage;
using Azure.Storage.Blobs;

var container = new BlobContainerClient(
    new Uri(args[0].TrimEnd('/') + "/" + args[1]),
    new StorageSharedKeyCredential("devstoreaccount1", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="),
    new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_06_06));
await container.CreateIfNotExistsAsync();
