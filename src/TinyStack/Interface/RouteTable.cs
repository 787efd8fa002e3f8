using TinyStack.Wire;

namespace TinyStack.Interface;

/// <summary>
/// Where to send a datagram: the longest matching prefix wins (RFC 1812 §5.2.4.3). A host needs
/// little more than its on-link subnet (deliver directly) and a default route (send to the
/// gateway), but the table takes any prefix so static routes can be added.
/// </summary>
internal sealed class RouteTable
{
    // Kept sorted by prefix length, longest first, so the first match is the best one. Tables are
    // tiny, and a linear scan of a few entries beats any trie at this size.
    private readonly List<RouteEntry> _entries = [];

    public int Count => _entries.Count;

    /// <summary>Destinations inside <paramref name="prefix"/> are reached directly on the link.</summary>
    public void AddOnLink(Ipv4Cidr prefix) => Insert(new RouteEntry(Normalize(prefix), Ipv4Address.Any));

    /// <summary>Destinations inside <paramref name="prefix"/> are reached through <paramref name="gateway"/>.</summary>
    public void AddVia(Ipv4Cidr prefix, Ipv4Address gateway)
    {
        if (gateway.IsUnspecified)
        {
            throw new ArgumentException("A gateway route needs a gateway address; use AddOnLink for on-link prefixes.", nameof(gateway));
        }

        Insert(new RouteEntry(Normalize(prefix), gateway));
    }

    /// <summary>
    /// Finds the neighbour a datagram to <paramref name="destination"/> is handed to: the
    /// destination itself when on-link, else the gateway of the best route. False: no route.
    /// </summary>
    public bool TryLookup(Ipv4Address destination, out Ipv4Address nextHop)
    {
        foreach (RouteEntry entry in _entries)
        {
            if (entry.Prefix.Contains(destination))
            {
                nextHop = entry.Gateway.IsUnspecified ? destination : entry.Gateway;
                return true;
            }
        }

        nextHop = default;
        return false;
    }

    private static Ipv4Cidr Normalize(Ipv4Cidr prefix) => new(prefix.Network, prefix.PrefixLength);

    private void Insert(RouteEntry entry)
    {
        int index = _entries.FindIndex(e => e.Prefix == entry.Prefix);
        if (index >= 0)
        {
            _entries[index] = entry;
            return;
        }

        index = _entries.FindIndex(e => e.Prefix.PrefixLength < entry.Prefix.PrefixLength);
        _entries.Insert(index < 0 ? _entries.Count : index, entry);
    }
}
