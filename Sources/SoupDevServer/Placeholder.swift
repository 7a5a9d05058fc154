public enum SoupDevServerPlaceholder {}
