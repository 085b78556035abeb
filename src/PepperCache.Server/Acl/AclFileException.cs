namespace PepperCache.Server.Acl;

/// <summary>The ACL file given at start-up could not be loaded: the node does not start (as Redis).</summary>
internal sealed class AclFileException(string message) : Exception(message);
