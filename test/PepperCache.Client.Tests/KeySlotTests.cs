using System.Text;
using PepperCache.Client.Cluster;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Client.Tests;

public sealed class KeySlotTests
{
    [Theory]
    [InlineData("foo", 12182)] // redis-cli CLUSTER KEYSLOT foo
    [InlineData("bar", 5061)]
    [InlineData("123456789", 0x31C3 & 16383)]
    [InlineData("", 0)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("user1000", 3443)]
    [InlineData("foo{}{bar}", 8363)] // an empty tag: the whole key is hashed
    [InlineData("foo{bar", 15278)] // no closing brace: the whole key
    public void Known_keys_land_in_the_slots_Redis_gives_them(string key, int slot) =>
        Assert.Equal(slot, KeySlot.Of(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void The_client_and_the_server_agree_on_every_key_tried()
    {
        var random = new Random(42);
        for (var i = 0; i < 5000; i++)
        {
            var key = new byte[random.Next(0, 24)];
            random.NextBytes(key);
            if (i % 3 == 0 && key.Length > 4)
            {
                key[1] = (byte)'{';
                key[^2] = (byte)'}';
            }

            Assert.Equal(HashSlot.Of(key), KeySlot.Of(key));
        }
    }
}
