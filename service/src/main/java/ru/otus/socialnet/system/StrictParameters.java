package ru.otus.socialnet.system;

import java.beans.PropertyEditorSupport;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.PropertyEditorRegistrar;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.support.ConfigurableWebBindingInitializer;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Whole-number request parameters ({@code limit}) in the API's one form ({@link AsciiNumbers}).
 * Spring's default binding of an {@code Integer} ({@code NumberUtils.parseNumber}, i.e.
 * {@code Integer.decode} after trimming) takes {@code 0x10}, {@code #10}, octal {@code 010},
 * {@code " 10"} and Unicode digits. A registered editor is what binding consults first (a
 * ConversionService converter that refuses is silently overridden by the default editor), and a
 * value it refuses becomes a 400 ({@code MethodArgumentTypeMismatchException}). An empty value
 * ({@code limit=}) still means "not given".
 *
 * <p>A parameter given twice ({@code first_name=a&first_name=b}) is refused with a 400, as a JSON key
 * given twice is (StrictBodyAdvice): Spring would join the values ("a,b") and answer as if that had
 * been asked.
 *
 * <p>The editor is registered on Spring MVC's binding initializer, which every binder goes through,
 * rather than by an {@code @InitBinder} method of a {@code @ControllerAdvice}: Spring builds an
 * invocable handler for such a method anew on every request, annotations looked up and all (3 % of
 * a search's CPU in the profile, docs/search-index.md).
 */
@Configuration(proxyBeanMethods = false)
class StrictParameters {

    /** Adds the strict editor to the initializer of Spring MVC's handler adapter, beside anything already there. */
    @Bean
    static BeanPostProcessor strictIntegerBinding() {
        PropertyEditorRegistrar strict = registry -> registry.registerCustomEditor(Integer.class, new AsciiInteger());
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof RequestMappingHandlerAdapter adapter
                        && adapter.getWebBindingInitializer() instanceof ConfigurableWebBindingInitializer initializer) {
                    PropertyEditorRegistrar[] registrars = initializer.getPropertyEditorRegistrars();
                    registrars = registrars == null ? new PropertyEditorRegistrar[1]
                            : Arrays.copyOf(registrars, registrars.length + 1);
                    registrars[registrars.length - 1] = strict;
                    initializer.setPropertyEditorRegistrars(registrars);
                }
                return bean;
            }
        };
    }

    /** Refuses a GET (or HEAD, which runs the same handler) whose query string names a parameter more than once. */
    @Bean
    static WebMvcConfigurer singleValuedParameters() {
        HandlerInterceptor once = new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                // GET and HEAD only: the API's parameters are in query strings, and a form body must not be read here.
                if (request.getQueryString() == null
                        || !("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()))) {
                    return true;
                }
                for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
                    if (parameter.getValue().length > 1) {
                        // The name is echoed only when it is a plain one (any name the API has).
                        String name = parameter.getKey();
                        throw ApiException.invalid(PLAIN_NAME.matcher(name).matches()
                                ? "'" + name + "' is given more than once" : "a query parameter is given more than once");
                    }
                }
                return true;
            }
        };
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(once);
            }
        };
    }

    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z_]{1,32}");

    /** A new one per binder: a property editor holds the value it converts. */
    private static final class AsciiInteger extends PropertyEditorSupport {
        @Override
        public void setAsText(String text) {
            if (text == null || text.isEmpty()) {
                setValue(null);
                return;
            }
            setValue((int) AsciiNumbers.parse(text, Integer.MAX_VALUE)
                    .orElseThrow(() -> new IllegalArgumentException("not a whole number in ASCII digits")));
        }
    }
}
