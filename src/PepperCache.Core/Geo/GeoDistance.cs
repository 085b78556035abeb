namespace PepperCache.Core.Geo;

/// <summary>
/// Redis's distances (geohash_helper.c): the haversine great-circle distance on a sphere of Redis's earth radius,
/// with its shortcut when the longitudes are the same, and the in-circle and in-box tests of the searches. The
/// operations run in Redis's order so the doubles (and the 4-decimal replies) are the same.
/// </summary>
public static class GeoDistance
{
    /// <summary>Redis's EARTH_RADIUS_IN_METERS.</summary>
    public const double EarthRadius = 6372797.560856;

    /// <summary>Redis's MERCATOR_MAX.</summary>
    public const double MercatorMax = 20037726.37;

    private const double DegreesToRadians = Math.PI / 180.0;

    public static double ToRadians(double degrees) => degrees * DegreesToRadians;

    public static double ToDegrees(double radians) => radians / DegreesToRadians;

    /// <summary>geohashGetLatDistance: along a meridian, where the haversine reduces to the latitude difference.</summary>
    public static double Latitude(double latitude1, double latitude2) =>
        EarthRadius * Math.Abs(ToRadians(latitude2) - ToRadians(latitude1));

    /// <summary>geohashGetDistance, in meters.</summary>
    public static double Between(double longitude1, double latitude1, double longitude2, double latitude2)
    {
        var longitude1R = ToRadians(longitude1);
        var longitude2R = ToRadians(longitude2);
        var v = Math.Sin((longitude2R - longitude1R) / 2);
        if (v == 0.0)
        {
            return Latitude(latitude1, latitude2);
        }

        var latitude1R = ToRadians(latitude1);
        var latitude2R = ToRadians(latitude2);
        var u = Math.Sin((latitude2R - latitude1R) / 2);
        var a = (u * u) + (Math.Cos(latitude1R) * Math.Cos(latitude2R) * v * v);
        return 2.0 * EarthRadius * Math.Asin(Math.Sqrt(a));
    }

    /// <summary>Whether the point (x2, y2) lies within the shape centred at (x1, y1), and its distance when so (geoWithinShape).</summary>
    public static bool IsWithin(in GeoShape shape, double longitude, double latitude, out double distance)
    {
        if (shape.IsBox)
        {
            return IsInRectangle(shape.Width * shape.Conversion, shape.Height * shape.Conversion,
                shape.Longitude, shape.Latitude, longitude, latitude, out distance);
        }

        distance = Between(shape.Longitude, shape.Latitude, longitude, latitude);
        return distance <= shape.Radius * shape.Conversion;
    }

    /// <summary>geohashGetDistanceIfInRectangle: the latitude and longitude distances from the centre within half the box.</summary>
    private static bool IsInRectangle(double widthM, double heightM, double x1, double y1, double x2, double y2, out double distance)
    {
        distance = 0;
        if (Latitude(y2, y1) > heightM / 2)
        {
            return false;
        }

        if (Between(x2, y2, x1, y2) > widthM / 2)
        {
            return false;
        }

        distance = Between(x1, y1, x2, y2);
        return true;
    }
}

/// <summary>What a search covers: a circle (radius) or a box (width, height) in a unit, around a centre.</summary>
public readonly record struct GeoShape(double Longitude, double Latitude, bool IsBox, double Radius, double Width, double Height, double Conversion);
