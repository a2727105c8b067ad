namespace Tidings.Classification;

public static class ClassificationSetup
{
    public static IServiceCollection AddTidingsClassification(this IServiceCollection services)
    {
        services.AddSingleton<HeadlineClassifier>();
        services.AddSingleton<ClassifierKnowledge>();
        return services;
    }
}
