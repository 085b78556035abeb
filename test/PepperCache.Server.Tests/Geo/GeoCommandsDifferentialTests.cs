using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Geo;

/// <summary>
/// The geo commands against redis-server 7.0.15 and a PepperCache node: the same scripts, replies compared byte for
/// byte (scores, distances, coordinates and even the order of unsorted searches are Redis's). Each test uses its own
/// key prefix; the two servers live for the class. Split by concern: this file (GEOADD, GEOPOS, GEOHASH, GEODIST,
/// edge positions, ZADD-written members, errors), <c>.Search.cs</c> (GEOSEARCH and the GEORADIUS family, options,
/// STORE forms, generated worlds of points).
/// </summary>
public sealed partial class GeoCommandsDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    private Task RunAsync(IEnumerable<DifferentialStep> steps) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, steps);

    [Fact]
    public Task AddStoresRedisScoresAndPositionsReadBack() => RunAsync("""
        > GEOADD a:g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
        > GEOADD a:g 13.361389 38.115556 Palermo
        > ZRANGE a:g 0 -1 WITHSCORES
        > ZSCORE a:g Palermo
        > TYPE a:g
        > OBJECT ENCODING a:g
        > GEOPOS a:g Palermo Catania nosuch
        > GEOPOS a:g
        > GEOPOS a:nokey a b
        > GEOPOS a:nokey
        > GEOHASH a:g Palermo Catania nosuch
        > GEOHASH a:g
        > GEOHASH a:nokey x
        > GEOADD a:g 2.2944810 48.8583701 "tour eiffel" -74.0445 40.6892 "\x00\xff"
        > GEOPOS a:g "tour eiffel" "\x00\xff"
        > GEOHASH a:g "tour eiffel" "\x00\xff"
        > ZCARD a:g
        > GEOADD a:int 1 1 123 2 2 -5
        > ZRANGE a:int 0 -1 WITHSCORES
        > GEOPOS a:int 123 -5
        """);

    [Fact]
    public Task AddOptionsNxXxCh() => RunAsync("""
        > GEOADD o:g 10 10 a 20 20 b
        > GEOADD o:g NX 11 11 a 30 30 c
        > GEOADD o:g XX 12 12 a 40 40 d
        > GEOADD o:g XX CH 13 13 a 40 40 d
        > GEOADD o:g CH 13 13 a 14 14 b 50 50 e
        > GEOADD o:g ch nx 1 1 a 2 2 f
        > GEOADD o:g CH XX 13 13 a
        > GEOADD o:g CH 13 13 a
        > ZRANGE o:g 0 -1 WITHSCORES
        > GEOADD o:new XX 1 1 a
        > EXISTS o:new
        > GEOADD o:g NX XX 1 1 a
        > GEOADD o:g xx nx 1 1 a
        > GEOADD o:g CH CH CH
        > GEOADD o:g NX CH 1 1
        > GEOADD o:g GT 1 1 a
        > GEOADD o:g GT 1 1
        > GEOADD o:g INCR 1 1
        """);

    [Fact]
    public Task AddRejectsBadPairsBeforeWriting() => RunAsync("""
        > GEOADD e:g 1 1 a 200 1 b
        > EXISTS e:g
        > GEOADD e:g 1 1 a 1 86 b
        > GEOADD e:g 180.0000001 0 a
        > GEOADD e:g -180.0000001 0 a
        > GEOADD e:g 0 85.05112879 a
        > GEOADD e:g 0 -85.05112879 a
        > GEOADD e:g 1e300 1 a
        > GEOADD e:g -1e300 -1e300 a
        > GEOADD e:g inf 1 a
        > GEOADD e:g 1 -inf a
        > GEOADD e:g 123.4567891 -90 a
        > GEOADD e:g x 1 a
        > GEOADD e:g 1 x a
        > GEOADD e:g "" 1 a
        > GEOADD e:g " 1" 1 a
        > GEOADD e:g nan 1 a
        > GEOADD e:g 1e400 1 a
        > GEOADD e:g 1 1 a 2
        > GEOADD e:g 1 1
        > EXISTS e:g
        > GEOADD e:g 0x10 0x1 hex 1e1 -1E1 exp
        > GEOPOS e:g hex exp
        """);

    [Fact]
    public Task EdgePositionsAtTheLimits() => RunAsync("""
        > GEOADD x:g 180 85.05112878 ne -180 -85.05112878 sw 180 -85.05112878 se -180 85.05112878 nw
        > GEOADD x:g 0 0 zero -0 -0 negzero -0.0000001 0.0000001 tiny 179.9999999 0 east -179.9999999 0 west
        > GEOADD x:g 90 45 q1 -90 -45 q3 0.5 0.25 half 0.000001 -0.000001 small
        > ZRANGE x:g 0 -1 WITHSCORES
        > GEOPOS x:g ne sw se nw zero negzero tiny east west q1 q3 half small
        > GEOHASH x:g ne sw se nw zero negzero tiny east west q1 q3 half small
        > GEODIST x:g ne sw
        > GEODIST x:g nw ne km
        > GEODIST x:g east west
        > GEODIST x:g zero zero
        > GEODIST x:g zero tiny
        > GEODIST x:g q1 q3 mi
        > GEODIST x:g ne se ft
        """);

    [Fact]
    public Task MembersAddedWithZaddDecodeAsRedisDecodesThem() => RunAsync("""
        > ZADD z:g 0 zero 1 one -1 minus 3471579339700058 paris 4503599627370495 top52 4503599627370496 two52
        > ZADD z:g 9007199254740992 two53 13510798882111488 corner 1e300 huge -1e300 neghuge inf pinf -inf ninf 0.5 frac
        > ZADD z:g 9223372036854775807 max64 18446744073709551616 two64 -9223372036854775808 min64 123.999 dec
        > GEOPOS z:g zero one minus paris top52 two52 two53 corner huge neghuge pinf ninf frac max64 two64 min64 dec
        > GEOHASH z:g zero one minus paris top52 two52 two53 corner huge neghuge pinf ninf frac max64 two64 min64 dec
        > GEODIST z:g zero paris
        > GEODIST z:g minus pinf km
        > GEODIST z:g huge frac
        > GEOSEARCH z:g FROMLONLAT 0 0 BYRADIUS 20000 km WITHDIST WITHHASH WITHCOORD
        > GEOSEARCH z:g FROMMEMBER paris BYBOX 40000 40000 km ASC WITHHASH
        > GEORADIUSBYMEMBER z:g minus 100 km WITHCOORD WITHHASH
        """);

    [Fact]
    public Task DistancesInEveryUnit() => RunAsync("""
        > GEOADD d:g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania -122.4194 37.7749 sf 151.2093 -33.8688 sydney
        > GEODIST d:g Palermo Catania
        > GEODIST d:g Palermo Catania m
        > GEODIST d:g Palermo Catania km
        > GEODIST d:g Palermo Catania mi
        > GEODIST d:g Palermo Catania ft
        > GEODIST d:g Palermo Catania KM
        > GEODIST d:g Palermo Catania Mi
        > GEODIST d:g sf sydney km
        > GEODIST d:g sydney sf
        > GEODIST d:g Palermo Palermo
        > GEODIST d:g Palermo nosuch
        > GEODIST d:g nosuch Palermo km
        > GEODIST d:nokey a b
        > GEODIST d:nokey a b parsec
        > GEODIST d:g Palermo Catania parsec
        > GEODIST d:g Palermo Catania "" 
        > GEODIST d:g Palermo Catania km extra
        > GEODIST d:g Palermo
        """);

    [Fact]
    public Task WrongTypeAndArity() => RunAsync("""
        > SET w:s v
        > GEOADD w:s 1 1 a
        > GEOADD w:s 200 1 a
        > GEOADD w:s NX XX 1 1 a
        > GEOPOS w:s a
        > GEOHASH w:s a
        > GEODIST w:s a b
        > GEODIST w:s a b parsec
        > GEOSEARCH w:s FROMMEMBER a BYRADIUS 1 km
        > GEOSEARCH w:s FROMLONLAT 1000 1 BYRADIUS -1 km
        > GEOSEARCHSTORE {w}d w:s FROMLONLAT 1 1 BYRADIUS 1 km
        > GEORADIUS w:s 1000 1 1 km
        > GEORADIUS w:s 1 1 1 km STORE w:d
        > GEORADIUSBYMEMBER w:s a 1 km
        > GEORADIUS_RO w:s 1 1 1 km
        > GEORADIUSBYMEMBER_RO w:s a 1 km
        > LPUSH w:l a
        > GEOADD w:l 1 1 a
        > GEOADD
        > GEOADD w:g 1 1
        > GEOPOS
        > GEOHASH
        > GEODIST w:g a
        > GEOSEARCH w:g FROMLONLAT 1 1 BYRADIUS 1
        > GEOSEARCHSTORE w:d w:g FROMLONLAT 1 1 BYRADIUS 1
        > GEORADIUS w:g 1 1 1
        > GEORADIUSBYMEMBER w:g a 1
        > GEORADIUS_RO w:g 1 1 1
        > GEORADIUSBYMEMBER_RO w:g a 1
        """);
}
