using CsCheck;
using TinyStack.Wire;

namespace TinyStack.Tests.Wire;

public class MacAddressTests
{
    [Theory]
    [InlineData("02:00:00:00:00:01", 0x0200_0000_0001UL)]
    [InlineData("ff-ff-ff-ff-ff-ff", 0xFFFF_FFFF_FFFFUL)]
    [InlineData("AA:bb:Cc:dD:0e:F0", 0xAABB_CCDD_0EF0UL)]
    [InlineData("00:00:00:00:00:00", 0UL)]
    public void Parses_colon_and_dash_notation(string text, ulong expected)
    {
        Assert.True(MacAddress.TryParse(text, out MacAddress mac));
        Assert.Equal(expected, mac.ToUInt64());
        Assert.Equal(MacAddress.FromUInt64(expected), MacAddress.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("02:00:00:00:00")]
    [InlineData("02:00:00:00:00:01:")]
    [InlineData("02:00:00:00:00:0g")]
    [InlineData("02.00.00.00.00.01")]
    [InlineData("0200:00:00:00:001")]
    [InlineData("+2:00:00:00:00:01")]
    [InlineData(" 2:00:00:00:00:01")]
    [InlineData("020000000001")]
    public void Rejects_anything_else(string? text)
    {
        Assert.False(MacAddress.TryParse(text, out MacAddress mac));
        Assert.Equal(MacAddress.Zero, mac);
        if (text is not null)
        {
            FormatException error = Assert.Throws<FormatException>(() => MacAddress.Parse(text));
            Assert.Contains("02:00:00:00:00:02", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Formats_lowercase_with_colons_and_round_trips()
    {
        Assert.Equal("0a:1b:2c:3d:4e:5f", MacAddress.FromUInt64(0x0A1B_2C3D_4E5FUL).ToString());
        WireGen.Mac.Sample(mac =>
        {
            Assert.Equal(mac, MacAddress.Parse(mac.ToString()));
            Span<char> tooShort = stackalloc char[16];
            Assert.False(mac.TryFormat(tooShort, out _, default, null));
        }, iter: 1_000);
    }

    [Fact]
    public void Reads_and_writes_network_order()
    {
        byte[] bytes = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
        var mac = new MacAddress(bytes);

        Assert.Equal(0x0211_2233_4455UL, mac.ToUInt64());
        byte[] written = new byte[6];
        mac.WriteTo(written);
        Assert.Equal(bytes, written);
    }

    [Fact]
    public void Classifies_group_broadcast_and_local_addresses()
    {
        Assert.True(MacAddress.Broadcast.IsBroadcast && MacAddress.Broadcast.IsMulticast);
        Assert.True(MacAddress.Parse("01:00:5e:00:00:01").IsMulticast);
        Assert.False(MacAddress.Parse("01:00:5e:00:00:01").IsBroadcast);
        Assert.True(MacAddress.Parse("02:00:00:00:00:01").IsLocallyAdministered);
        Assert.False(MacAddress.Parse("02:00:00:00:00:01").IsMulticast);
        Assert.False(MacAddress.Parse("00:1b:21:00:00:01").IsLocallyAdministered);
        Assert.Equal(0x0000_0000_0001UL, MacAddress.FromUInt64(0xFFFF_0000_0000_0001UL).ToUInt64()); // only 48 bits kept
    }
}
