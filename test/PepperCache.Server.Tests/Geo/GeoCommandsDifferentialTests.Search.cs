using System.Globalization;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Geo;

// GEOSEARCH, GEOSEARCHSTORE and the GEORADIUS family: every option, the errors in Redis's order, the STORE forms, and
// generated sets of points searched from many centres with many radii and boxes (unsorted replies included: their
// order is the order of Redis's geohash cells).
public sealed partial class GeoCommandsDifferentialTests
{
    private const string Sicily = "GEOADD {s}g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 13.583333 37.316667 Agrigento 12.758489 38.788135 edge1 17.241510 38.222397 edge2";

    [Fact]
    public Task SearchOptions() => RunAsync($"""
        > {Sicily}
        > GEOSEARCH {"{s}"}g FROMMEMBER Palermo BYRADIUS 200 km
        > GEOSEARCH {"{s}"}g FROMMEMBER Palermo BYRADIUS 200 km ASC
        > GEOSEARCH {"{s}"}g FROMMEMBER Palermo BYRADIUS 200 km DESC
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST WITHCOORD WITHHASH
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km withhash withdist
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200000 m WITHDIST
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 mi WITHDIST
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 600000 ft WITHDIST
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYBOX 400 400 km WITHDIST WITHCOORD ASC
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYBOX 400 100 km WITHDIST
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYBOX 100 400 km WITHDIST
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYBOX 0 0 km
        > GEOSEARCH {"{s}"}g FROMMEMBER Palermo BYBOX 0 0 km WITHDIST
        > GEOSEARCH {"{s}"}g FROMMEMBER Palermo BYRADIUS 0 km WITHDIST
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km COUNT 2 DESC
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km COUNT 10
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1 ANY
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km ANY COUNT 2 WITHDIST
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km COUNT 2 ANY ASC
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km COUNT 3 COUNT 1
        > GEOSEARCH {"{s}"}g BYRADIUS 10 km BYRADIUS 200 km FROMLONLAT 15 37 ASC DESC
        > GEOSEARCH {"{s}"}g FROMLONLAT 15 37 BYRADIUS 1 m
        > GEOSEARCH {"{s}"}nokey FROMLONLAT 15 37 BYRADIUS 200 km
        > GEOSEARCH {"{s}"}nokey FROMMEMBER nosuch BYBOX 1 1 km WITHDIST
        > geosearch {"{s}"}g frommember Palermo bybox 500 500 KM withcoord
        """);

    [Fact]
    public Task SearchErrorsComeInRedissOrder() => RunAsync($"""
        > {Sicily}
        > GEOSEARCH {"{s}"}g FROMMEMBER nosuch BYRADIUS 1 km
        > GEOSEARCH {"{s}"}g FROMMEMBER nosuch BYRADIUS -1 km
        > GEOSEARCH {"{s}"}g BYRADIUS -1 km FROMMEMBER nosuch
        > GEOSEARCH {"{s}"}g FROMLONLAT 200 1 BYRADIUS -1 km
        > GEOSEARCH {"{s}"}g FROMLONLAT x 1 BYRADIUS 1 km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 x BYRADIUS 1 km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS x km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS -0.1 km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 parsec
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYBOX x 1 km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYBOX 1 x km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYBOX -1 x km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYBOX -1 1 km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYBOX 1 -1 km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYBOX 1 1 parsec
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 FROMMEMBER Palermo BYRADIUS 1 km
        > GEOSEARCH {"{s}"}g FROMMEMBER Palermo FROMLONLAT 1 1 BYRADIUS 1 km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 km BYBOX 1 1 km
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYBOX 1 1 km BYRADIUS 1 km
        > GEOSEARCH {"{s}"}g BYRADIUS 1 km WITHDIST
        > GeoSearch {"{s}"}g BYRADIUS 1 km WITHDIST
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 WITHDIST ASC
        > geosearch {"{s}"}g FROMLONLAT 1 1 WITHDIST ASC
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 km ANY
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 km COUNT 0
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 km COUNT -1
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 km COUNT x
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 km COUNT
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 km STOREDIST
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 km STORE {"{s}"}d
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 km FROMLONLAT
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYBOX 1 1
        > GEOSEARCH {"{s}"}g FROMLONLAT 1 1 BYRADIUS 1 km bogus
        > GEOSEARCH {"{s}"}nokey FROMLONLAT 1 1 BYRADIUS 1 km ANY
        > GEOSEARCH {"{s}"}nokey FROMMEMBER x BYRADIUS -1 km
        > GEOSEARCH {"{s}"}nokey FROMLONLAT 1 1 BYRADIUS 1 km COUNT 0
        """);

    [Fact]
    public Task SearchStoreWritesMembersOrDistances() => RunAsync($"""
        > {Sicily}
        > GEOSEARCHSTORE {"{s}"}d {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km
        > ZRANGE {"{s}"}d 0 -1 WITHSCORES
        > GEOSEARCHSTORE {"{s}"}d {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
        > ZRANGE {"{s}"}d 0 -1 WITHSCORES
        > GEOSEARCHSTORE {"{s}"}d {"{s}"}g FROMLONLAT 15 37 BYBOX 400 400 mi STOREDIST COUNT 2 DESC
        > ZRANGE {"{s}"}d 0 -1 WITHSCORES
        > GEOSEARCHSTORE {"{s}"}d {"{s}"}g FROMMEMBER Palermo BYRADIUS 1 m COUNT 1 ANY
        > ZRANGE {"{s}"}d 0 -1 WITHSCORES
        > GEOSEARCHSTORE {"{s}"}d {"{s}"}g FROMLONLAT 0 0 BYRADIUS 1 km
        > EXISTS {"{s}"}d
        > SET {"{s}"}str v
        > GEOSEARCHSTORE {"{s}"}str {"{s}"}g FROMMEMBER Palermo BYRADIUS 10 km
        > TYPE {"{s}"}str
        > GEOSEARCHSTORE {"{s}"}str {"{s}"}nokey FROMMEMBER Palermo BYRADIUS 10 km
        > EXISTS {"{s}"}str
        > GEOSEARCHSTORE {"{s}"}d {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST
        > GEOSEARCHSTORE {"{s}"}d {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD STOREDIST
        > GEOSEARCHSTORE {"{s}"}d {"{s}"}g FROMLONLAT 15 37 BYRADIUS 200 km STORE {"{s}"}x
        > GEOSEARCHSTORE {"{s}"}d {"{s}"}g BYRADIUS 200 km
        > GEOSEARCHSTORE {"{s}"}d {"{s}"}g FROMLONLAT 15 37
        > GEOSEARCHSTORE {"{s}"}g {"{s}"}g FROMMEMBER Palermo BYRADIUS 100 km STOREDIST
        > ZRANGE {"{s}"}g 0 -1 WITHSCORES
        """);

    [Fact]
    public Task RadiusCommandsAndTheirStoreKeys() => RunAsync($"""
        > {Sicily}
        > GEORADIUS {"{s}"}g 15 37 200 km
        > GEORADIUS {"{s}"}g 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC
        > GEORADIUS {"{s}"}g 15 37 200 km DESC COUNT 2 WITHDIST
        > GEORADIUS {"{s}"}g 15 37 200 km COUNT 1 ANY
        > GEORADIUS {"{s}"}g 15 37 200 km ANY
        > GEORADIUS {"{s}"}g 15 37 200 km COUNT 0
        > GEORADIUS {"{s}"}g 15 37 200 km STORE {"{s}"}d
        > ZRANGE {"{s}"}d 0 -1 WITHSCORES
        > GEORADIUS {"{s}"}g 15 37 200 km STOREDIST {"{s}"}d
        > ZRANGE {"{s}"}d 0 -1 WITHSCORES
        > GEORADIUS {"{s}"}g 15 37 200 km STORE {"{s}"}x STOREDIST {"{s}"}d COUNT 1
        > ZRANGE {"{s}"}d 0 -1 WITHSCORES
        > EXISTS {"{s}"}x
        > GEORADIUS {"{s}"}g 15 37 200 km STOREDIST {"{s}"}x STORE {"{s}"}d
        > ZRANGE {"{s}"}d 0 -1 WITHSCORES
        > EXISTS {"{s}"}x
        > GEORADIUS {"{s}"}g 15 37 200 km STORE {"{s}"}d WITHDIST
        > GEORADIUS {"{s}"}g 15 37 200 km STORE
        > GEORADIUS {"{s}"}g 15 37 1 m STORE {"{s}"}d
        > EXISTS {"{s}"}d
        > GEORADIUS {"{s}"}g 15 37 200 km FROMLONLAT 1 1
        > GEORADIUS {"{s}"}g 15 37 200 km BYBOX 1 1 km
        > GEORADIUS {"{s}"}g 200 37 -1 km
        > GEORADIUS {"{s}"}g 15 37 x km
        > GEORADIUS {"{s}"}g 15 37 -1 km
        > GEORADIUS {"{s}"}g 15 37 1 parsec
        > GEORADIUS {"{s}"}nokey 15 37 1 km
        > GEORADIUS {"{s}"}nokey 200 37 1 km
        > GEORADIUS {"{s}"}nokey 15 37 1 km STORE {"{s}"}g
        > EXISTS {"{s}"}g
        > {Sicily}
        > GEORADIUSBYMEMBER {"{s}"}g Palermo 200 km WITHDIST
        > GEORADIUSBYMEMBER {"{s}"}g Palermo 200 km STOREDIST {"{s}"}d COUNT 2
        > ZRANGE {"{s}"}d 0 -1 WITHSCORES
        > GEORADIUSBYMEMBER {"{s}"}g nosuch 200 km
        > GEORADIUSBYMEMBER {"{s}"}g nosuch -200 km
        > GEORADIUSBYMEMBER {"{s}"}g Palermo -200 km
        > GEORADIUSBYMEMBER {"{s}"}nokey nosuch -200 parsec
        > GEORADIUSBYMEMBER {"{s}"}nokey nosuch -200 parsec COUNT 0
        > GEORADIUSBYMEMBER {"{s}"}nokey nosuch 1 km STORE {"{s}"}d
        > EXISTS {"{s}"}d
        > GEORADIUS_RO {"{s}"}g 15 37 200 km WITHDIST ASC COUNT 2
        > GEORADIUS_RO {"{s}"}g 15 37 200 km STORE {"{s}"}d
        > GEORADIUS_RO {"{s}"}g 15 37 200 km STOREDIST {"{s}"}d
        > GEORADIUSBYMEMBER_RO {"{s}"}g Catania 100 mi WITHCOORD DESC
        > GEORADIUSBYMEMBER_RO {"{s}"}g Catania 100 mi STORE {"{s}"}d
        """);

    [Fact]
    public Task HugeRadiiBoxesAndThePoles() => RunAsync("""
        > GEOADD p:g 0 85 n1 90 85 n2 180 85 n3 -90 85 n4 0 -85 s1 90 -85 s2 180 -85 s3 -179 -85 s4 0 0 c 179.9 0 e -179.9 0 w
        > GEOSEARCH p:g FROMLONLAT 0 0 BYRADIUS 40000 km
        > GEOSEARCH p:g FROMLONLAT 0 0 BYRADIUS 40000 km ASC WITHDIST
        > GEOSEARCH p:g FROMLONLAT 0 0 BYRADIUS 1e10 m DESC WITHDIST
        > GEOSEARCH p:g FROMLONLAT 0 0 BYBOX 40000 40000 km WITHDIST
        > GEOSEARCH p:g FROMLONLAT 0 0 BYBOX 1e5 1e5 km
        > GEOSEARCH p:g FROMLONLAT 0 85.05112878 BYRADIUS 1000 km WITHDIST
        > GEOSEARCH p:g FROMLONLAT 0 -85.05112878 BYRADIUS 3000 km WITHDIST
        > GEOSEARCH p:g FROMLONLAT 180 0 BYRADIUS 100 km WITHDIST
        > GEOSEARCH p:g FROMLONLAT -180 0 BYRADIUS 100 km WITHDIST
        > GEOSEARCH p:g FROMLONLAT 180 85.05112878 BYBOX 5000 1000 km WITHDIST
        > GEOSEARCH p:g FROMLONLAT -180 -85.05112878 BYBOX 20000 2000 km WITHCOORD
        > GEOSEARCH p:g FROMMEMBER e BYRADIUS 50 km WITHDIST
        > GEOSEARCH p:g FROMMEMBER w BYBOX 50 50 km WITHDIST
        > GEORADIUS p:g 0 85 2000 km WITHDIST
        > GEORADIUS p:g 0 -85 20000 km COUNT 3 WITHDIST
        > GEORADIUS p:g 0 -85 1e20 km COUNT 3 DESC
        > GEOSEARCH p:g FROMLONLAT 0 0 BYRADIUS inf km
        > GEOSEARCH p:g FROMLONLAT 0 0 BYBOX inf 1 km
        """);

    [Fact]
    public Task EqualDistancesKeepRedissOrderWithAndWithoutCount()
    {
        var random = new Random(3);
        var spots = new[] { "10 10", "10.01 10", "10.02 10", "9.99 10", "9.98 10", "10 10.01", "10 9.99" };
        var add = new StringBuilder("GEOADD t:g");
        for (var i = 0; i < 300; i++)
        {
            add.Append(CultureInfo.InvariantCulture, $" {spots[random.Next(spots.Length)]} t{i}");
        }

        var script = new StringBuilder("> " + add + "\n");
        foreach (var count in new[] { 1, 2, 5, 6, 7, 8, 13, 40, 41, 50, 100, 150, 299, 300, 301 })
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"> GEOSEARCH t:g FROMLONLAT 10 10 BYRADIUS 100 km COUNT {count}");
            script.AppendLine(CultureInfo.InvariantCulture, $"> GEOSEARCH t:g FROMLONLAT 10 10 BYRADIUS 100 km COUNT {count} DESC WITHDIST");
            script.AppendLine(CultureInfo.InvariantCulture, $"> GEORADIUS t:g 10.005 10 100 km COUNT {count} WITHDIST");
        }

        script.AppendLine("> GEOSEARCH t:g FROMLONLAT 10 10 BYRADIUS 100 km ASC");
        script.AppendLine("> GEOSEARCH t:g FROMLONLAT 10 10 BYRADIUS 100 km DESC");
        script.AppendLine("> GEOSEARCH t:g FROMLONLAT 10 10 BYRADIUS 100 km");
        return RunAsync(script.ToString());
    }

    /// <summary>
    /// Six hundred points over the whole map (some on the ±180 meridian and at the latitude limits) and two hundred
    /// around one city, searched from generated centres with every option: cells, filters, distances and order.
    /// </summary>
    [Fact]
    public Task GeneratedWorldsAnswerAsRedis()
    {
        var random = new Random(7);
        var steps = new StringBuilder();
        var world = new List<string>();
        for (var i = 0; i < 600; i++)
        {
            var longitude = i % 50 == 0 ? new[] { -180.0, 180, 0 }[random.Next(3)] : (random.NextDouble() * 360) - 180;
            var latitude = i % 70 == 0 ? new[] { -85.05112878, 85.05112878, 0 }[random.Next(3)] : (random.NextDouble() * 170.1) - 85.05;
            world.Add(string.Create(CultureInfo.InvariantCulture, $"{longitude:F6} {latitude:F8} m{i}"));
        }

        foreach (var chunk in world.Chunk(100))
        {
            steps.AppendLine("> GEOADD r:world " + string.Join(' ', chunk));
        }

        var city = Enumerable.Range(0, 200).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{2.35 + random.NextDouble() - 0.5:F6} {48.85 + random.NextDouble() - 0.5:F6} p{i}"));
        steps.AppendLine("> GEOADD r:city " + string.Join(' ', city));

        string[] options = ["", "ASC", "DESC", "COUNT 5", "COUNT 5 ANY", "COUNT 3 DESC", "WITHHASH WITHCOORD", "COUNT 1"];
        for (var q = 0; q < 120; q++)
        {
            var longitude = q % 7 == 0 ? new[] { 179.99, -179.99, 180, -180 }[random.Next(4)] : (random.NextDouble() * 360) - 180;
            var latitude = q % 10 == 0 ? new[] { 84.9, -84.9, 85.05112878, -85.05112878 }[random.Next(4)] : (random.NextDouble() * 170) - 85;
            var radius = new[] { 1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000, 40000 }[random.Next(10)];
            var unit = random.Next(2) == 0 ? "km" : "mi";
            var option = options[random.Next(options.Length)];
            var width = new[] { 10, 100, 1000, 5000, 20000, 40000 }[random.Next(6)];
            var height = new[] { 10, 100, 1000, 5000, 20000 }[random.Next(5)];
            steps.AppendLine(CultureInfo.InvariantCulture, $"> GEOSEARCH r:world FROMLONLAT {longitude:F4} {latitude:F8} BYRADIUS {radius} {unit} WITHDIST {option}");
            steps.AppendLine(CultureInfo.InvariantCulture, $"> GEOSEARCH r:world FROMLONLAT {longitude:F4} {latitude:F8} BYBOX {width} {height} {unit} WITHDIST {option}");
        }

        for (var q = 0; q < 50; q++)
        {
            var longitude = 2.35 + (random.NextDouble() * 2) - 1;
            var latitude = 48.85 + (random.NextDouble() * 2) - 1;
            var radius = new[] { 0, 0.1, 1, 5, 10, 20, 50, 100 }[random.Next(8)];
            steps.AppendLine(CultureInfo.InvariantCulture, $"> GEORADIUS r:city {longitude:F5} {latitude:F5} {radius} km WITHDIST WITHCOORD WITHHASH");
            steps.AppendLine(CultureInfo.InvariantCulture, $"> GEOSEARCH r:city FROMMEMBER p{q} BYBOX {radius} {radius * 2} km");
            steps.AppendLine(CultureInfo.InvariantCulture, $"> GEOSEARCH r:city FROMMEMBER p{q} BYRADIUS {radius} km COUNT 4 ANY");
            steps.AppendLine(CultureInfo.InvariantCulture, $"> GEORADIUSBYMEMBER r:city p{q} {radius} km COUNT 3 DESC WITHDIST");
        }

        steps.AppendLine("> GEOSEARCHSTORE r:stored r:city FROMLONLAT 2.35 48.85 BYRADIUS 30 km STOREDIST");
        steps.AppendLine("> ZRANGE r:stored 0 -1 WITHSCORES");
        steps.AppendLine("> OBJECT ENCODING r:stored");
        steps.AppendLine("> GEOSEARCHSTORE r:stored r:city FROMLONLAT 2.35 48.85 BYRADIUS 3000 km");
        steps.AppendLine("> OBJECT ENCODING r:stored");
        steps.AppendLine("> ZRANGE r:stored 0 20 WITHSCORES");
        return RunAsync(steps.ToString());
    }
}
