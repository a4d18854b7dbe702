package ru.otus.socialnet.system;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * The service's JSON, configured once: the spec's snake_case names, and bodies read as strictly as
 * the spec types them (README, "Input rules"). Jackson's defaults are lenient in ways a client
 * should never rely on; each switch below closes one of them:
 * <ul>
 * <li>duplicate keys ({@code {"password":"a","password":"b"}}) are an error, not "last one wins";</li>
 * <li>a string field takes only a JSON string: {@code 123}, {@code 1.5} and {@code true} are not
 *     coerced into {@code "123"};</li>
 * <li>dates are not lenient: no epoch days ({@code 7000}), no time part ({@code 1990-01-01T00:00});</li>
 * <li>a date is exactly a {@code YYYY-MM-DD} string ({@link IsoDate}).</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class JsonConfiguration {

    @Bean
    JsonMapperBuilderCustomizer strictJson() {
        return builder -> builder
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .withCoercionConfig(LogicalType.Textual, strings -> strings
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .defaultLeniency(false)
                .addModule(new SimpleModule("iso-dates").addDeserializer(LocalDate.class, new IsoDate()));
    }

    /**
     * A {@link LocalDate} from a JSON string in ISO form ({@code 1990-05-01}) and nothing else.
     * Jackson's own deserializer, even with leniency off, still takes the array form
     * {@code [1990,5,1]} and trims white space around the string; no switch turns those off.
     * {@link DateTimeFormatter#ISO_LOCAL_DATE} resolves strictly: {@code 1990-02-30} is an error.
     */
    static final class IsoDate extends StdScalarDeserializer<LocalDate> {

        IsoDate() {
            super(LocalDate.class);
        }

        @Override
        public LocalDate deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (LocalDate) ctxt.handleUnexpectedToken(LocalDate.class, p);
            }
            String text = p.getString();
            try {
                return LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE);
            } catch (DateTimeException e) {
                return (LocalDate) ctxt.handleWeirdStringValue(LocalDate.class, text, "not a date as YYYY-MM-DD");
            }
        }
    }
}
