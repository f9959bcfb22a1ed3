from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (10 by default, at most 100: a larger size gives 100).

    A page size that is not a whole number from 1 up is a 400 naming the parameter, rather
    than silently becoming the default.
    """

    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.strip().isdigit() or int(value) < 1:
            raise ValidationError({self.page_size_query_param: ["A whole number from 1 up is required."]})
        return min(int(value), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
