namespace PepperCache.Core.Geo;

/// <summary>
/// The cells a search scans (Redis's geohashCalculateAreasByShapeWGS84): the centre's cell at a step estimated from
/// the radius, one step coarser when a neighbour does not reach the shape's bounding box, and its eight neighbours
/// less those the box does not reach. Each cell is one score range of the sorted set, scanned in
/// <see cref="Cells"/> order, which is the order an unsorted search answers in.
/// </summary>
public static class GeoSearchArea
{
    /// <summary>The nine cells in Redis's scan order (centre, N, S, E, W, NE, NW, SE, SW); zeroed ones are skipped.</summary>
    public static void Cells(in GeoShape shape, Span<GeoHashBits> cells)
    {
        var (minLongitude, minLatitude, maxLongitude, maxLatitude) = BoundingBox(shape);
        var radiusMeters = shape.IsBox
            ? Math.Sqrt((shape.Width / 2 * (shape.Width / 2)) + (shape.Height / 2 * (shape.Height / 2)))
            : shape.Radius;
        radiusMeters *= shape.Conversion;

        var steps = EstimateSteps(radiusMeters, shape.Latitude);
        GeoHash.TryEncode(shape.Longitude, shape.Latitude, steps, out var hash);
        var neighbors = GeoHash.Neighbors(hash);
        var area = GeoHash.Decode(hash);

        // The estimated step can leave a neighbour short of the bounding box near a cell's edge: one step coarser then.
        var north = GeoHash.Decode(neighbors.North);
        var south = GeoHash.Decode(neighbors.South);
        var east = GeoHash.Decode(neighbors.East);
        var west = GeoHash.Decode(neighbors.West);
        var decrease = north.LatitudeMax < maxLatitude || south.LatitudeMin > minLatitude ||
            east.LongitudeMax < maxLongitude || west.LongitudeMin > minLongitude;
        if (steps > 1 && decrease)
        {
            steps--;
            GeoHash.TryEncode(shape.Longitude, shape.Latitude, steps, out hash);
            neighbors = GeoHash.Neighbors(hash);
            area = GeoHash.Decode(hash);
        }

        // Neighbours on a side the centre cell already covers past the bounding box are not scanned.
        if (steps >= 2)
        {
            if (area.LatitudeMin < minLatitude)
            {
                neighbors.South = neighbors.SouthWest = neighbors.SouthEast = default;
            }

            if (area.LatitudeMax > maxLatitude)
            {
                neighbors.North = neighbors.NorthEast = neighbors.NorthWest = default;
            }

            if (area.LongitudeMin < minLongitude)
            {
                neighbors.West = neighbors.SouthWest = neighbors.NorthWest = default;
            }

            if (area.LongitudeMax > maxLongitude)
            {
                neighbors.East = neighbors.SouthEast = neighbors.NorthEast = default;
            }
        }

        cells[0] = hash;
        cells[1] = neighbors.North;
        cells[2] = neighbors.South;
        cells[3] = neighbors.East;
        cells[4] = neighbors.West;
        cells[5] = neighbors.NorthEast;
        cells[6] = neighbors.NorthWest;
        cells[7] = neighbors.SouthEast;
        cells[8] = neighbors.SouthWest;
    }

    /// <summary>The score range [min, max) of the members inside a cell (scoresOfGeoHashBox).</summary>
    public static (double Min, double Max) Scores(GeoHashBits cell) =>
        (GeoHash.Align52(cell), GeoHash.Align52(cell with { Bits = cell.Bits + 1 }));

    /// <summary>geohashEstimateStepsByRadius: the coarsest step whose cells still hold the radius, wider near the poles.</summary>
    public static int EstimateSteps(double rangeMeters, double latitude)
    {
        if (rangeMeters == 0)
        {
            return GeoHash.MaxStep;
        }

        var step = 1;
        while (rangeMeters < GeoDistance.MercatorMax)
        {
            rangeMeters *= 2;
            step++;
        }

        step -= 2;
        if (latitude > 66 || latitude < -66)
        {
            step--;
            if (latitude > 80 || latitude < -80)
            {
                step--;
            }
        }

        return Math.Clamp(step, 1, GeoHash.MaxStep);
    }

    /// <summary>geohashBoundingBox: the shape's extent in degrees, widest in longitude on the side nearer the pole.</summary>
    public static (double MinLongitude, double MinLatitude, double MaxLongitude, double MaxLatitude) BoundingBox(in GeoShape shape)
    {
        var longitude = shape.Longitude;
        var latitude = shape.Latitude;
        var height = shape.Conversion * (shape.IsBox ? shape.Height / 2 : shape.Radius);
        var width = shape.Conversion * (shape.IsBox ? shape.Width / 2 : shape.Radius);
        var latitudeDelta = GeoDistance.ToDegrees(height / GeoDistance.EarthRadius);
        var longitudeDeltaTop = GeoDistance.ToDegrees(width / GeoDistance.EarthRadius / Math.Cos(GeoDistance.ToRadians(latitude + latitudeDelta)));
        var longitudeDeltaBottom = GeoDistance.ToDegrees(width / GeoDistance.EarthRadius / Math.Cos(GeoDistance.ToRadians(latitude - latitudeDelta)));
        var southern = latitude < 0;
        return (
            southern ? longitude - longitudeDeltaBottom : longitude - longitudeDeltaTop,
            latitude - latitudeDelta,
            southern ? longitude + longitudeDeltaBottom : longitude + longitudeDeltaTop,
            latitude + latitudeDelta);
    }
}
