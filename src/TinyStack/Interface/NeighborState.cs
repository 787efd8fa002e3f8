namespace TinyStack.Interface;

/// <summary>
/// Where a neighbour cache entry is in its life, a simplified form of Linux's NUD states
/// (RFC 4861 §7.3.2 names the same ideas for IPv6).
/// </summary>
internal enum NeighborState : byte
{
    /// <summary>Broadcast ARP requests are out and no answer has come; datagrams wait in its queue.</summary>
    Incomplete,

    /// <summary>
    /// The address is known. Within <see cref="StackOptions.ArpEntryLifetime"/> of its last
    /// confirmation it is used as is; after that it is stale: still used, but the next use
    /// starts a refresh.
    /// </summary>
    Reachable,

    /// <summary>A stale entry was used: the old address is still used while unicast requests check it.</summary>
    Probing,
}
