from django.apps import AppConfig


class PostsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "posts"

    def ready(self):
        from posts.reads import POSTS_COUNT
        from profiles.reads import PROFILE

        PROFILE.add(POSTS_COUNT, before="followers_count")
